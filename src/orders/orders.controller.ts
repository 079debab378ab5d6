import { CacheRoute, HttpCacheInterceptor } from '@app/cache';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { CurrentOrg } from '../auth/current-org.decorator';
import { TenantGuard } from '../auth/tenant.guard';
import type { Page } from '../common/dto/page';
import { UuidParamPipe } from '../common/pipes/uuid-param.pipe';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import type { OrderDto } from './dto/order.dto';
import { UpdateOrderDto } from './dto/update-order.dto';
import { OrdersCache } from './orders.cache';
import { OrdersService } from './orders.service';

/**
 * /api/v1/orders: the organization's orders, scoped by the API key. Reads are cached per HTTP
 * answer (`@CacheRoute`), since the answer is what carries X-Cache, ETag and 304s; writes evict
 * in `OrdersService` (`@CacheEvict`).
 */
@Controller('api/v1/orders')
@UseGuards(TenantGuard)
@UseInterceptors(HttpCacheInterceptor)
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  @CacheRoute({ namespace: OrdersCache.namespace, ttl: OrdersCache.ttl.list, tags: [OrdersCache.tags.list] })
  list(@CurrentOrg() orgId: string, @Query() query: ListOrdersQueryDto): Promise<Page<OrderDto>> {
    return this.orders.list(orgId, query);
  }

  @Get(':id')
  @CacheRoute({ namespace: OrdersCache.namespace, ttl: OrdersCache.ttl.order, tags: (request) => [OrdersCache.tags.order(request.params.id)] })
  get(@CurrentOrg() orgId: string, @Param('id', UuidParamPipe) id: string): Promise<OrderDto> {
    return this.orders.get(orgId, id);
  }

  @Post()
  create(@CurrentOrg() orgId: string, @Body() body: CreateOrderDto): Promise<OrderDto> {
    return this.orders.create(orgId, body);
  }

  @Patch(':id')
  update(@CurrentOrg() orgId: string, @Param('id', UuidParamPipe) id: string, @Body() body: UpdateOrderDto): Promise<OrderDto> {
    return this.orders.updateStatus(orgId, id, body.status);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentOrg() orgId: string, @Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.orders.remove(orgId, id);
  }
}
