import { CacheService, GLOBAL_ORG } from '@app/cache';
import { Injectable, NotFoundException } from '@nestjs/common';
import type { DemoItem } from './demo-item.entity';
import { DemoItemsRepository } from './demo-items.repository';
import type { DemoItemDto, DemoItemReadDto } from './dto/demo-item.dto';

const NAMESPACE = 'demo';
const TTL_MS = 60_000;

/** Tag of one item, so a write drops exactly the cache entries that show it. */
export const demoItemTag = (id: number): string => `demo-item:${id}`;

/**
 * Cache-aside in its smallest form: reads go through `getOrSet` (the loader runs only on a miss),
 * writes go to the database and then invalidate the item's tag.
 */
@Injectable()
export class DemoItemsService {
  constructor(
    private readonly items: DemoItemsRepository,
    private readonly cache: CacheService,
  ) {}

  async read(id: number): Promise<DemoItemReadDto> {
    let loaded = false;
    const item = await this.cache.getOrSet(
      `item:${id}`,
      async () => {
        loaded = true;
        const row = await this.items.findById(id);
        if (row === null) throw new NotFoundException(`Demo item ${id} not found`);
        return toDto(row);
      },
      { namespace: NAMESPACE, ttlMs: TTL_MS, tags: [demoItemTag(id)] },
    );
    return { item, source: loaded ? 'database' : 'cache' };
  }

  async save(id: number, name: string): Promise<DemoItemDto> {
    const row = await this.items.save(id, name);
    // Demo entries belong to no organization (the global one): name it, so the eviction touches
    // that one organization's tag instead of every organization the cache knows.
    await this.cache.invalidateTags([demoItemTag(id)], { org: GLOBAL_ORG });
    return toDto(row);
  }
}

function toDto(row: DemoItem): DemoItemDto {
  return { id: row.id, name: row.name, updatedAt: row.updatedAt.toISOString() };
}
