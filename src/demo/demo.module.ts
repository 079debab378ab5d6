import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DemoItem } from './demo-item.entity';
import { DemoItemsController } from './demo-items.controller';
import { DemoItemsRepository } from './demo-items.repository';
import { DemoItemsService } from './demo-items.service';

/** GET/PUT /demo/items/:id: a table read through the cache, and a write that invalidates it (its caching: demo.cache.ts). */
@Module({
  imports: [TypeOrmModule.forFeature([DemoItem])],
  controllers: [DemoItemsController],
  providers: [DemoItemsRepository, DemoItemsService],
})
export class DemoModule {}
