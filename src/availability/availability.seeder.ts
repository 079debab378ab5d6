import type { Seeder } from '../database/seed/seeder';
import { AppointmentsRepository } from './appointments/appointments.repository';
import { AppointmentsService } from './appointments/appointments.service';
import type { WorkingHours } from './schedule/working-hours';
import { addDays, localDateAt } from './schedule/zoned-time';
import { AvailabilityService } from './slots/availability.service';
import { StaffRepository } from './staff/staff.repository';
import { StaffService } from './staff/staff.service';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const split = (...intervals: [string, string][]) => intervals;
const week = (days: readonly string[], intervals: [string, string][]): WorkingHours =>
  Object.fromEntries(days.map((day) => [day, intervals]));

/** Demo staff per organization slug, in time zones of their own. */
const DEMO_STAFF: Record<string, { name: string; timezone: string; workingHours: WorkingHours }[]> = {
  barbers: [
    {
      name: 'Marco Rossi',
      timezone: 'Europe/Rome',
      workingHours: { ...week(WEEKDAYS, split(['09:00', '13:00'], ['14:00', '18:00'])), sat: [['09:00', '13:00']] },
    },
    { name: 'Sofia Clarke', timezone: 'Europe/London', workingHours: week(['tue', 'wed', 'thu', 'fri', 'sat'], split(['10:00', '19:00'])) },
    { name: 'Jamal Brooks', timezone: 'America/New_York', workingHours: week(WEEKDAYS, split(['12:00', '20:00'])) },
  ],
  bikes: [{ name: 'Nina Petrova', timezone: 'Europe/Berlin', workingHours: week(WEEKDAYS, split(['08:00', '16:00'])) }],
};
const BOOKINGS_PER_STAFF = 4;

/**
 * Staff for each demo organization (found again by name on a rerun) and, for staff with no
 * appointments yet, a few 30-minute bookings of the seeded users over the coming days, made
 * through the booking service so its rules and cache evictions apply.
 */
export const availabilitySeeder: Seeder = {
  name: 'availability',
  async run(context) {
    const staffService = context.app.get(StaffService, { strict: false });
    const staffRows = context.app.get(StaffRepository, { strict: false });
    const appointments = context.app.get(AppointmentsService, { strict: false });
    const appointmentRows = context.app.get(AppointmentsRepository, { strict: false });
    const availability = context.app.get(AvailabilityService, { strict: false });
    let staffCreated = 0;
    let booked = 0;
    for (const org of context.orgs) {
      const users = context.ids.get(`users:${org.slug}`) ?? [];
      for (const demo of DEMO_STAFF[org.slug] ?? []) {
        const existing = await staffRows.findByName(org.id, demo.name);
        const staff = existing ?? (await staffService.create(org.id, demo));
        if (existing === null) staffCreated++;
        if (users.length === 0 || (await appointmentRows.countForStaff(org.id, staff.id)) > 0) continue;
        const today = localDateAt(demo.timezone, Date.now());
        for (let day = 1, made = 0; day <= 7 && made < BOOKINGS_PER_STAFF; day++) {
          const { slots } = await availability.slots(org.id, staff.id, addDays(today, day), 30);
          for (const start of slots.filter((_, i) => i % 3 === 1).slice(0, 2)) {
            if (made >= BOOKINGS_PER_STAFF) break;
            await appointments.book(org.id, { staffId: staff.id, userId: users[booked % users.length], start, duration: 30 });
            made++;
            booked++;
          }
        }
      }
    }
    context.notes.push(`staff: ${staffCreated} created; appointments: ${booked} booked`);
  },
};
