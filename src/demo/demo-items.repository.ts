import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DemoItem } from './demo-item.entity';

@Injectable()
export class DemoItemsRepository {
  constructor(@InjectRepository(DemoItem) private readonly items: Repository<DemoItem>) {}

  findById(id: number): Promise<DemoItem | null> {
    return this.items.findOneBy({ id });
  }

  /** Inserts or renames the item and returns the stored row. */
  async save(id: number, name: string): Promise<DemoItem> {
    await this.items.upsert({ id, name, updatedAt: new Date() }, ['id']);
    return this.items.findOneByOrFail({ id });
  }
}
