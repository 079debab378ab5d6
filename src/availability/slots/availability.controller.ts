import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { CurrentOrg, TenantGuard } from '../../auth';
import { parseInstant } from '../schedule/time-input';
import { AvailabilityService } from './availability.service';
import type { AvailabilityCheckDto, SlotsDto } from './dto/availability.dto';
import { CheckQueryDto } from './dto/check-query.dto';
import { SlotsQueryDto } from './dto/slots-query.dto';

/** Free slots of a staff member's day, and whether one span can be booked. */
@Controller('api/v1/availability')
@UseGuards(TenantGuard)
export class AvailabilityController {
  constructor(private readonly availability: AvailabilityService) {}

  @Get('slots')
  slots(@CurrentOrg() orgId: string, @Query() query: SlotsQueryDto): Promise<SlotsDto> {
    return this.availability.slots(orgId, query.staffId.toLowerCase(), query.date, query.duration);
  }

  @Get('check')
  check(@CurrentOrg() orgId: string, @Query() query: CheckQueryDto): Promise<AvailabilityCheckDto> {
    // The DTO has validated `start`, so it parses.
    return this.availability.check(orgId, query.staffId.toLowerCase(), parseInstant(query.start) ?? 0, query.duration);
  }
}
