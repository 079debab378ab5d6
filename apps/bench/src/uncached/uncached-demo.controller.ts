import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { DemoItemsRepository } from '../../../../src/demo/demo-items.repository';
import type { DemoItemReadDto } from '../../../../src/demo/dto/demo-item.dto';
import { DemoItemParamsDto } from '../../../../src/demo/dto/demo-item-params.dto';

/** GET /demo/items/:id's query with no cache around it (the demo route has no guard). */
@Controller('bench/uncached/demo/items')
export class UncachedDemoController {
  constructor(private readonly items: DemoItemsRepository) {}

  @Get(':id')
  async read(@Param() params: DemoItemParamsDto): Promise<DemoItemReadDto> {
    const row = await this.items.findById(params.id);
    if (row === null) throw new NotFoundException(`Demo item ${params.id} not found`);
    return { item: { id: row.id, name: row.name, updatedAt: row.updatedAt.toISOString() }, source: 'database' };
  }
}
