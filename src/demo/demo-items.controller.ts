import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { DemoItemsService } from './demo-items.service';
import type { DemoItemDto, DemoItemReadDto } from './dto/demo-item.dto';
import { DemoItemParamsDto } from './dto/demo-item-params.dto';
import { SaveDemoItemDto } from './dto/save-demo-item.dto';

/** A newcomer's view of the cache at work; the real domain comes with /api/v1. */
@Controller('demo/items')
export class DemoItemsController {
  constructor(private readonly items: DemoItemsService) {}

  @Get(':id')
  read(@Param() params: DemoItemParamsDto): Promise<DemoItemReadDto> {
    return this.items.read(params.id);
  }

  @Put(':id')
  save(@Param() params: DemoItemParamsDto, @Body() body: SaveDemoItemDto): Promise<DemoItemDto> {
    return this.items.save(params.id, body.name);
  }
}
