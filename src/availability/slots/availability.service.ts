import { CacheService } from '@app/cache';
import { Injectable } from '@nestjs/common';
import { AVAILABILITY_CHECK_TTL_MS, SLOTS_NAMESPACE, SLOTS_TTL_MS, slotsTag } from '../availability-cache.constants';
import { AppointmentsRepository } from '../appointments/appointments.repository';
import { checkSpan, freeSlots, localDaySpan } from '../schedule/schedule';
import { StaffService } from '../staff/staff.service';
import type { AvailabilityCheckDto, SlotsDto } from './dto/availability.dto';

const MINUTE_MS = 60_000;

/**
 * Free slots and availability checks, computed from the committed staff row and appointments and
 * cached within the org under `slots:<staffId>`: a booking, a cancellation or a change of hours
 * evicts both kinds at once.
 */
@Injectable()
export class AvailabilityService {
  constructor(
    private readonly staff: StaffService,
    private readonly appointments: AppointmentsRepository,
    private readonly cache: CacheService,
  ) {}

  slots(orgId: string, staffId: string, date: string, duration: number): Promise<SlotsDto> {
    return this.cache.getOrSet(
      `slots:${staffId}:${date}:${duration}`,
      async () => {
        const staff = await this.staff.require(orgId, staffId);
        const busy = await this.appointments.findBusy(orgId, staffId, localDaySpan(staff, date));
        const starts = freeSlots(staff, date, duration, busy, Date.now());
        return { staffId, date, duration, slots: starts.map((ms) => new Date(ms).toISOString()) };
      },
      { org: orgId, namespace: SLOTS_NAMESPACE, ttlMs: SLOTS_TTL_MS, tags: [slotsTag(staffId)] },
    );
  }

  check(orgId: string, staffId: string, startMs: number, duration: number): Promise<AvailabilityCheckDto> {
    const start = new Date(startMs).toISOString();
    return this.cache.getOrSet(
      `check:${staffId}:${start}:${duration}`,
      async () => {
        const staff = await this.staff.require(orgId, staffId);
        const wanted = { startMs, endMs: startMs + duration * MINUTE_MS };
        const busy = await this.appointments.findBusy(orgId, staffId, wanted);
        return checkSpan(staff, startMs, duration, busy, Date.now());
      },
      { org: orgId, namespace: SLOTS_NAMESPACE, ttlMs: AVAILABILITY_CHECK_TTL_MS, tags: [slotsTag(staffId)] },
    );
  }
}
