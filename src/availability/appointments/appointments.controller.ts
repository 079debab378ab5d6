import { HttpCacheInterceptor, NoCache } from '@app/cache';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { CurrentOrg, TenantGuard } from '../../auth';
import { UuidParamPipe } from '../../common/pipes/uuid-param.pipe';
import type { Page } from '../page';
import { AppointmentsService } from './appointments.service';
import type { AppointmentDto } from './dto/appointment.dto';
import { CreateAppointmentDto } from './dto/create-appointment.dto';
import { ListAppointmentsQueryDto } from './dto/list-appointments-query.dto';

/** Bookings of the caller's organization's staff. Lists are read live (X-Cache: BYPASS): bookings change by the second. */
@Controller('api/v1/appointments')
@UseGuards(TenantGuard)
@UseInterceptors(HttpCacheInterceptor)
export class AppointmentsController {
  constructor(private readonly appointments: AppointmentsService) {}

  @Post()
  book(@CurrentOrg() orgId: string, @Body() body: CreateAppointmentDto): Promise<AppointmentDto> {
    return this.appointments.book(orgId, body);
  }

  @Get()
  @NoCache()
  list(@CurrentOrg() orgId: string, @Query() query: ListAppointmentsQueryDto): Promise<Page<AppointmentDto>> {
    return this.appointments.list(orgId, query);
  }

  @Delete(':id')
  @HttpCode(204)
  cancel(@CurrentOrg() orgId: string, @Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.appointments.cancel(orgId, id);
  }
}
