import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { OperatorGuard } from '../auth/operator.guard';
import { DemoItemsService } from './demo-items.service';
import type { DemoItemDto, DemoItemReadDto } from './dto/demo-item.dto';
import { DemoItemParamsDto } from './dto/demo-item-params.dto';
import { SaveDemoItemDto } from './dto/save-demo-item.dto';

/**
 * A newcomer's view of the cache at work; the real domain comes with /api/v1. Reads are open
 * (the three seeded rows); the write takes the operator token (`Authorization: Bearer
 * <ADMIN_TOKEN>`, or the one `npm start` prints), since no route accepts an anonymous write and
 * demo rows belong to no organization. The whole module is absent when NODE_ENV=production.
 */
@Controller('demo/items')
export class DemoItemsController {
  constructor(private readonly items: DemoItemsService) {}

  @Get(':id')
  read(@Param() params: DemoItemParamsDto): Promise<DemoItemReadDto> {
    return this.items.read(params.id);
  }

  @Put(':id')
  @UseGuards(OperatorGuard)
  save(@Param() params: DemoItemParamsDto, @Body() body: SaveDemoItemDto): Promise<DemoItemDto> {
    return this.items.save(params.id, body.name);
  }
}
