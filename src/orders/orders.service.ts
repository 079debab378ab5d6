import { CacheEvict } from '@app/cache';
import { Injectable, NotFoundException } from '@nestjs/common';
import { orgOfFirstArg } from '../common/cache/cache-ttl-setting';
import { DashboardCache } from '../dashboard/dashboard.cache';
import type { Page } from '../common/dto/page';
import { UsersRepository } from '../users/users.repository';
import type { CreateOrderDto } from './dto/create-order.dto';
import type { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import { type OrderDto, toOrderDto } from './dto/order.dto';
import type { OrderStatus } from './order-status';
import { orderTotalCents } from './order-total';
import { OrdersCache } from './orders.cache';
import { OrdersRepository } from './orders.repository';

/** What changing one order changes: the order, every list, and the dashboard (its figures sum orders). */
const changedByOrder = (_orgId: string, id: string): string[] => [OrdersCache.tags.order(id), OrdersCache.tags.list, DashboardCache.tags.dashboard];

/**
 * Orders of one organization. Reads are cached by the controller's `@CacheRoute` (tag
 * `order:<id>`, `orders` for lists); each write's `@CacheEvict` evicts the order, the lists and
 * `dashboard` (its figures sum orders) once the row is committed (never when it throws).
 */
@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly users: UsersRepository,
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

  /** A new order is in no `order:<id>` entry yet (only 2xx GETs are stored): the lists and the dashboard are what change. */
  @CacheEvict({ org: orgOfFirstArg, tags: [OrdersCache.tags.list, DashboardCache.tags.dashboard] })
  async create(orgId: string, body: CreateOrderDto): Promise<OrderDto> {
    // Another organization's user is as unknown as a made-up id.
    if ((await this.users.findById(orgId, body.userId)) === null) {
      throw new NotFoundException(`No user with userId ${body.userId}`);
    }
    const items = body.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents }));
    const row = await this.orders.insert(orgId, { userId: body.userId, currency: body.currency, items, totalCents: orderTotalCents(items) });
    return toOrderDto(row);
  }

  @CacheEvict({ org: orgOfFirstArg, tags: changedByOrder })
  async updateStatus(orgId: string, id: string, status: OrderStatus): Promise<OrderDto> {
    const row = await this.orders.updateStatus(orgId, id, status);
    if (row === null) throw notFound(id);
    return toOrderDto(row);
  }

  @CacheEvict({ org: orgOfFirstArg, tags: changedByOrder })
  async remove(orgId: string, id: string): Promise<void> {
    if (!(await this.orders.delete(orgId, id))) throw notFound(id);
  }
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`No order with id ${id}`);
}
