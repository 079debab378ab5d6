import { CacheEvict, CacheService } from '@app/cache';
import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { orgOfFirstArg } from '../../common/cache/cache-ttl-setting';
import { DashboardCache } from '../../dashboard/dashboard.cache';
import { AvailabilityCache } from '../availability.cache';
import { type Page, toPage } from '../page';
import { checkSpan, localDaySpan, type TimeSpan } from '../schedule/schedule';
import { parseInstant } from '../schedule/time-input';
import { StaffRepository } from '../staff/staff.repository';
import { StaffService, notFound as staffNotFound } from '../staff/staff.service';
import type { Appointment } from './appointment.entity';
import { AppointmentsRepository } from './appointments.repository';
import { bookingConflict, isExclusionViolation } from './booking-conflict';
import type { AppointmentDto } from './dto/appointment.dto';
import type { CreateAppointmentDto } from './dto/create-appointment.dto';
import type { ListAppointmentsQueryDto } from './dto/list-appointments-query.dto';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * Books and cancels appointments. A booking runs in one transaction that locks the staff row
 * (`FOR UPDATE`), so concurrent bookings of one staff member run one after the other and each sees
 * the ones committed before it; where the database has btree_gist an exclusion constraint refuses
 * overlaps as well (its 23P01 is the same 409). After the commit, the staff member's slots and
 * checks and the dashboard are evicted.
 */
@Injectable()
export class AppointmentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly appointments: AppointmentsRepository,
    private readonly staffRows: StaffRepository,
    private readonly staff: StaffService,
    private readonly cache: CacheService,
  ) {}

  @CacheEvict({
    org: orgOfFirstArg,
    tags: (_orgId: string, body: CreateAppointmentDto) => [AvailabilityCache.tags.slots(body.staffId), DashboardCache.tags.dashboard],
  })
  async book(orgId: string, body: CreateAppointmentDto): Promise<AppointmentDto> {
    const startMs = parseInstant(body.start) ?? Number.NaN;
    const wanted: TimeSpan = { startMs, endMs: startMs + body.duration * MINUTE_MS };
    let row: Appointment;
    try {
      row = await this.dataSource.transaction(async (manager) => {
        const staff = await this.staffRows.lockById(manager, orgId, body.staffId);
        if (staff === null) throw staffNotFound(body.staffId);
        if (!(await this.appointments.userExists(manager, orgId, body.userId))) {
          throw new NotFoundException(`User ${body.userId} not found`);
        }
        const busy = await this.appointments.findBusy(orgId, staff.id, wanted, manager);
        const verdict = checkSpan(staff, startMs, body.duration, busy, Date.now());
        if (verdict.reason !== undefined) throw bookingConflict(verdict.reason);
        return this.appointments.insert(manager, {
          orgId,
          staffId: staff.id,
          userId: body.userId,
          startAt: new Date(wanted.startMs),
          endAt: new Date(wanted.endMs),
          durationMinutes: body.duration,
        });
      });
    } catch (error) {
      if (isExclusionViolation(error)) throw bookingConflict('overlaps_appointment');
      throw error;
    }
    return toAppointmentDto(row);
  }

  async cancel(orgId: string, id: string): Promise<void> {
    const staffId = await this.appointments.delete(orgId, id);
    if (staffId === null) throw new NotFoundException(`Appointment ${id} not found`);
    // By hand: the staff member whose slots change is read from the deleted row, which @CacheEvict (arguments only) cannot name.
    await this.cache.invalidateTags([AvailabilityCache.tags.slots(staffId), DashboardCache.tags.dashboard], { org: orgId });
  }

  async list(orgId: string, query: ListAppointmentsQueryDto): Promise<Page<AppointmentDto>> {
    const within = query.date === undefined ? undefined : await this.dayOf(orgId, query.date, query.staffId);
    const filter = { staffId: query.staffId, within };
    const [rows, total] = await this.appointments.findPage(orgId, filter, (query.page - 1) * query.limit, query.limit);
    return toPage(rows.map(toAppointmentDto), query.page, query.limit, total);
  }

  /** The day in the staff member's zone when one is named, else the UTC day. */
  private async dayOf(orgId: string, date: string, staffId: string | undefined): Promise<TimeSpan> {
    if (staffId === undefined) {
      const startMs = Date.parse(`${date}T00:00:00Z`);
      return { startMs, endMs: startMs + DAY_MS };
    }
    return localDaySpan(await this.staff.require(orgId, staffId), date);
  }
}

export function toAppointmentDto(row: Appointment): AppointmentDto {
  return {
    id: row.id,
    staffId: row.staffId,
    userId: row.userId,
    start: row.startAt.toISOString(),
    end: row.endAt.toISOString(),
    duration: row.durationMinutes,
    createdAt: row.createdAt.toISOString(),
  };
}
