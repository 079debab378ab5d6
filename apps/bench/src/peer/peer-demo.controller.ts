import { CacheInterceptor } from '@nestjs/cache-manager';
import { Controller, Get, NotFoundException, Param, UseInterceptors } from '@nestjs/common';
import { DemoItemsRepository } from '../../../../src/demo/demo-items.repository';
import type { DemoItemReadDto } from '../../../../src/demo/dto/demo-item.dto';
import { DemoItemParamsDto } from '../../../../src/demo/dto/demo-item-params.dto';

/** GET /demo/items/:id's read (same params DTO, same query, same body) behind the peer's interceptor. */
@Controller('bench/peer/demo/items')
@UseInterceptors(CacheInterceptor)
export class PeerDemoController {
  constructor(private readonly items: DemoItemsRepository) {}

  @Get(':id')
  async read(@Param() params: DemoItemParamsDto): Promise<DemoItemReadDto> {
    const row = await this.items.findById(params.id);
    if (row === null) throw new NotFoundException(`Demo item ${params.id} not found`);
    return { item: { id: row.id, name: row.name, updatedAt: row.updatedAt.toISOString() }, source: 'database' };
  }
}
