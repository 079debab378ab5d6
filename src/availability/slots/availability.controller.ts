import { CacheRoute, HttpCacheInterceptor } from '@app/cache';
import { Controller, Get, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { CurrentOrg, TenantGuard } from '../../auth';
import { AvailabilityCache, queryParam } from '../availability.cache';
import { parseInstant } from '../schedule/time-input';
import { AvailabilityService } from './availability.service';
import type { AvailabilityCheckDto, SlotsDto } from './dto/availability.dto';
import { CheckQueryDto } from './dto/check-query.dto';
import { SlotsQueryDto } from './dto/slots-query.dto';

/**
 * Free slots of a staff member's day, and whether one span can be booked. Both are cached per
 * org and per HTTP answer (`@CacheRoute`: the answer carries X-Cache, ETag and 304s) under
 * `slots:<staffId>`, which bookings, cancellations and changes of hours evict.
 */
@Controller('api/v1/availability')
@UseGuards(TenantGuard)
@UseInterceptors(HttpCacheInterceptor)
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  @Get('slots')
  @CacheRoute({
    namespace: AvailabilityCache.namespaces.slots,
    ttl: AvailabilityCache.ttl.slots,
    tags: (request) => [AvailabilityCache.tags.slots(queryParam(request.query, 'staffId'))],
  })
  slots(@CurrentOrg() orgId: string, @Query() query: SlotsQueryDto): Promise<SlotsDto> {
    return this.availability.slots(orgId, query.staffId.toLowerCase(), query.date, query.duration);
  }

  @Get('check')
  @CacheRoute({
    namespace: AvailabilityCache.namespaces.slots,
    ttl: AvailabilityCache.ttl.check,
    tags: (request) => [AvailabilityCache.tags.slots(queryParam(request.query, 'staffId'))],
  })
  check(@CurrentOrg() orgId: string, @Query() query: CheckQueryDto): Promise<AvailabilityCheckDto> {
    // The DTO has validated `start`, so it parses.
    return this.availability.check(orgId, query.staffId.toLowerCase(), parseInstant(query.start) ?? 0, query.duration);
  }
}
