import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { FindOptionsWhere, Repository } from 'typeorm';
import { Order, type OrderLine } from './order.entity';
import type { OrderStatus } from './order-status';

export interface NewOrder {
  userId: string;
  currency: string;
  items: OrderLine[];
  totalCents: number;
}

export interface OrderFilter {
  status?: OrderStatus;
  userId?: string;
}

/** Queries of `orders`; every one is bound to an organization. */
@Injectable()
export class OrdersRepository {
  constructor(@InjectRepository(Order) private readonly orders: Repository<Order>) {}

  findPage(orgId: string, filter: OrderFilter, offset: number, limit: number): Promise<[Order[], number]> {
    const where: FindOptionsWhere<Order> = { orgId };
    if (filter.status !== undefined) where.status = filter.status;
    if (filter.userId !== undefined) where.userId = filter.userId;
    return this.orders.findAndCount({ where, order: { createdAt: 'DESC', id: 'DESC' }, skip: offset, take: limit });
  }

  findById(orgId: string, id: string): Promise<Order | null> {
    return this.orders.findOneBy({ orgId, id });
  }

  countForUser(orgId: string, userId: string): Promise<number> {
    return this.orders.countBy({ orgId, userId });
  }

  insert(orgId: string, order: NewOrder): Promise<Order> {
    return this.orders.save(this.orders.create({ orgId, status: 'pending', ...order }));
  }

  /** Sets the status; null when the organization has no such order. */
  async updateStatus(orgId: string, id: string, status: OrderStatus): Promise<Order | null> {
    const result = await this.orders.update({ orgId, id }, { status, updatedAt: () => 'now()' });
    if (result.affected === 0) return null;
    return this.findById(orgId, id);
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const result = await this.orders.delete({ orgId, id });
    return (result.affected ?? 0) > 0;
  }
}
