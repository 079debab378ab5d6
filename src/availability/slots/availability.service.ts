import { Injectable } from '@nestjs/common';
import { AppointmentsRepository } from '../appointments/appointments.repository';
import { checkSpan, freeSlots, localDaySpan } from '../schedule/schedule';
import { StaffService } from '../staff/staff.service';
import type { AvailabilityCheckDto, SlotsDto } from './dto/availability.dto';

const MINUTE_MS = 60_000;

/** Free slots and availability checks, computed from the committed staff row and appointments. */
@Injectable()
export class AvailabilityService {
  constructor(
    private readonly staff: StaffService,
    private readonly appointments: AppointmentsRepository,
  ) {}

  async slots(orgId: string, staffId: string, date: string, duration: number): Promise<SlotsDto> {
    const staff = await this.staff.require(orgId, staffId);
    const busy = await this.appointments.findBusy(orgId, staffId, localDaySpan(staff, date));
    const starts = freeSlots(staff, date, duration, busy, Date.now());
    return { staffId, date, duration, slots: starts.map((ms) => new Date(ms).toISOString()) };
  }

  async check(orgId: string, staffId: string, startMs: number, duration: number): Promise<AvailabilityCheckDto> {
    const staff = await this.staff.require(orgId, staffId);
    const wanted = { startMs, endMs: startMs + duration * MINUTE_MS };
    const busy = await this.appointments.findBusy(orgId, staffId, wanted);
    return checkSpan(staff, startMs, duration, busy, Date.now());
  }
}
