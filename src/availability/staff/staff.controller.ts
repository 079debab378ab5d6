import { CacheRoute, HttpCacheInterceptor } from '@app/cache';
import { Body, Controller, Get, Param, Patch, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { CurrentOrg, TenantGuard } from '../../auth';
import { PaginationQueryDto } from '../../common/dto/pagination-query.dto';
import { UuidParamPipe } from '../../common/pipes/uuid-param.pipe';
import { AvailabilityCache } from '../availability.cache';
import type { Page } from '../page';
import { CreateStaffDto } from './dto/create-staff.dto';
import type { StaffDto } from './dto/staff.dto';
import { UpdateStaffDto } from './dto/update-staff.dto';
import { StaffService } from './staff.service';

/**
 * Bookable staff of the caller's organization; reads are cached per org and per HTTP answer
 * (`@CacheRoute`: the answer carries X-Cache, ETag and 304s), tags `staff`, `staff:<id>`;
 * writes evict in `StaffService` (`@CacheEvict`).
 */
@Controller('api/v1/staff')
@UseGuards(TenantGuard)
@UseInterceptors(HttpCacheInterceptor)
export class StaffController {
  constructor(private readonly staff: StaffService) {}

  @Post()
  create(@CurrentOrg() orgId: string, @Body() body: CreateStaffDto): Promise<StaffDto> {
    return this.staff.create(orgId, body);
  }

  @Get()
  @CacheRoute({ namespace: AvailabilityCache.namespaces.staff, ttl: AvailabilityCache.ttl.staff, tags: [AvailabilityCache.tags.staffList] })
  list(@CurrentOrg() orgId: string, @Query() query: PaginationQueryDto): Promise<Page<StaffDto>> {
    return this.staff.list(orgId, query.page, query.limit);
  }

  @Get(':id')
  @CacheRoute({
    namespace: AvailabilityCache.namespaces.staff,
    ttl: AvailabilityCache.ttl.staff,
    tags: (request) => [AvailabilityCache.tags.staff(request.params.id ?? '')],
  })
  get(@CurrentOrg() orgId: string, @Param('id', UuidParamPipe) id: string): Promise<StaffDto> {
    return this.staff.get(orgId, id);
  }

  @Patch(':id')
  update(
    @CurrentOrg() orgId: string,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: UpdateStaffDto,
  ): Promise<StaffDto> {
    return this.staff.update(orgId, id, body);
  }
}
