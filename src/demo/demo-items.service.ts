import { CacheEvict, Cacheable, GLOBAL_ORG } from '@app/cache';
import { Injectable, NotFoundException } from '@nestjs/common';
import type { DemoItem } from './demo-item.entity';
import { DemoItemsRepository } from './demo-items.repository';
import { DemoCache } from './demo.cache';
import type { DemoItemDto, DemoItemReadDto } from './dto/demo-item.dto';

const globalOrg = (): string => GLOBAL_ORG;

/**
 * Cache-aside in its smallest form: `find` is cached (`@Cacheable`: the body runs only on a
 * miss), `save` writes the row and then evicts the item's tag (`@CacheEvict`, after the write
 * resolved, never when it throws).
 */
@Injectable()
export class DemoItemsService {
  constructor(private readonly items: DemoItemsRepository) {}

  /** One read, saying where it came from: `database` when this call ran `find`'s body. */
  async read(id: number): Promise<DemoItemReadDto> {
    let loaded = false;
    const item = await this.find(id, () => {
      loaded = true;
    });
    return { item, source: loaded ? 'database' : 'cache' };
  }

  /** The item, through the cache. `onLoad` is not part of the key: it only hears that the database was read. */
  @Cacheable({
    namespace: DemoCache.namespace,
    key: 'item:{0}',
    ttl: DemoCache.ttl.item,
    tags: (id: number) => [DemoCache.tags.item(id)],
    org: globalOrg,
  })
  async find(id: number, onLoad?: () => void): Promise<DemoItemDto> {
    onLoad?.();
    const row = await this.items.findById(id);
    if (row === null) throw new NotFoundException(`Demo item ${id} not found`);
    return toDto(row);
  }

  @CacheEvict({ org: globalOrg, tags: (id: number) => [DemoCache.tags.item(id)] })
  async save(id: number, name: string): Promise<DemoItemDto> {
    return toDto(await this.items.save(id, name));
  }
}

function toDto(row: DemoItem): DemoItemDto {
  return { id: row.id, name: row.name, updatedAt: row.updatedAt.toISOString() };
}
