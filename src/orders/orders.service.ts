import { CacheService } from '@app/cache';
import { Injectable, NotFoundException } from '@nestjs/common';
import { DomainTags } from '../common/cache/domain-cache-tags';
import type { Page } from '../common/dto/page';
import { UsersRepository } from '../users/users.repository';
import type { CreateOrderDto } from './dto/create-order.dto';
import type { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import { type OrderDto, toOrderDto } from './dto/order.dto';
import type { OrderStatus } from './order-status';
import { orderTotalCents } from './order-total';
import { OrdersRepository } from './orders.repository';

/**
 * Orders of one organization. Reads are cached by the controller's `@CacheRoute` (tag
 * `order:<id>`, `orders` for lists); each write evicts the order, the lists and `dashboard`
 * (its figures sum orders) once the row is committed.
 */
@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly users: UsersRepository,
    private readonly cache: CacheService,
  ) {}

  async list(orgId: string, query: ListOrdersQueryDto): Promise<Page<OrderDto>> {
    const { page, limit, status, userId } = query;
    const [rows, total] = await this.orders.findPage(orgId, { status, userId }, (page - 1) * limit, limit);
    return { items: rows.map(toOrderDto), page, limit, total };
  }

  async get(orgId: string, id: string): Promise<OrderDto> {
    const row = await this.orders.findById(orgId, id);
    if (row === null) throw notFound(id);
    return toOrderDto(row);
  }

  async create(orgId: string, body: CreateOrderDto): Promise<OrderDto> {
    // Another organization's user is as unknown as a made-up id.
    if ((await this.users.findById(orgId, body.userId)) === null) {
      throw new NotFoundException(`No user with userId ${body.userId}`);
    }
    const items = body.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents }));
    const row = await this.orders.insert(orgId, { userId: body.userId, currency: body.currency, items, totalCents: orderTotalCents(items) });
    await this.evict(orgId, row.id);
    return toOrderDto(row);
  }

  async updateStatus(orgId: string, id: string, status: OrderStatus): Promise<OrderDto> {
    const row = await this.orders.updateStatus(orgId, id, status);
    if (row === null) throw notFound(id);
    await this.evict(orgId, id);
    return toOrderDto(row);
  }

  async remove(orgId: string, id: string): Promise<void> {
    if (!(await this.orders.delete(orgId, id))) throw notFound(id);
    await this.evict(orgId, id);
  }

  private async evict(orgId: string, id: string): Promise<void> {
    await this.cache.invalidateTags([DomainTags.order(id), DomainTags.orders, DomainTags.dashboard], { org: orgId });
  }
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`No order with id ${id}`);
}
