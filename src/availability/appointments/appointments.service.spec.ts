import { startDecoratedProviders, type DecoratedProvidersInstance } from '@app/cache/testing';
import { ConflictException, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import type { TimeSpan } from '../schedule/schedule';
import type { Staff } from '../staff/staff.entity';
import { StaffRepository } from '../staff/staff.repository';
import { StaffService } from '../staff/staff.service';
import type { Appointment } from './appointment.entity';
import { AppointmentsRepository, type NewAppointment } from './appointments.repository';
import { AppointmentsService } from './appointments.service';

const ORG = 'org-1';
const STAFF = 'staff-1';
const USER = 'user-1';
const DAY = '2099-01-05'; // a Monday
const staffRow = { id: STAFF, orgId: ORG, timezone: 'UTC', workingHours: { mon: [['09:00', '12:00']] } } as Staff;

const started: DecoratedProvidersInstance[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((instance) => instance.close()));
});

/** The service with fakes; a booking's evictions come from its `@CacheEvict` (wired by CacheModule), a cancellation's by hand. */
async function setup(options: { busy?: TimeSpan[]; insertError?: unknown } = {}) {
  const events: string[] = [];
  const manager = {} as EntityManager;
  const dataSource = {
    transaction: async <T>(work: (m: EntityManager) => Promise<T>): Promise<T> => {
      const result = await work(manager);
      events.push('commit');
      return result;
    },
  } as unknown as DataSource;
  const staffRows = {
    lockById: async (_m: EntityManager, org: string, id: string) => (events.push('lock staff'), org === ORG && id === STAFF ? staffRow : null),
  } as unknown as StaffRepository;
  const appointments = {
    userExists: async (_m: EntityManager, org: string, id: string) => org === ORG && id === USER,
    findBusy: async () => options.busy ?? [],
    insert: async (_m: EntityManager, fields: NewAppointment) => {
      if (options.insertError !== undefined) throw options.insertError;
      events.push('insert');
      return { id: 'appt-1', createdAt: new Date(0), ...fields } as Appointment;
    },
    delete: async (org: string, id: string) => (org === ORG && id === 'appt-1' ? STAFF : null),
  } as unknown as AppointmentsRepository;
  const instance = await startDecoratedProviders(
    [
      AppointmentsService,
      { provide: DataSource, useValue: dataSource },
      { provide: AppointmentsRepository, useValue: appointments },
      { provide: StaffRepository, useValue: staffRows },
      { provide: StaffService, useValue: {} },
    ],
    {},
    events,
  );
  started.push(instance);
  return { sut: instance.get(AppointmentsService), events };
}

const booking = (time: string, duration = 30) => ({ staffId: STAFF, userId: USER, start: `${DAY}T${time}:00Z`, duration });

describe(AppointmentsService.name, () => {
  it('books under the staff row lock and evicts slots and dashboard only after the commit', async () => {
    const { sut, events } = await setup();

    const booked = await sut.book(ORG, booking('09:00'));

    expect(booked).toMatchObject({ staffId: STAFF, start: `${DAY}T09:00:00.000Z`, end: `${DAY}T09:30:00.000Z`, duration: 30 });
    expect(events).toEqual(['lock staff', 'insert', 'commit', `evict slots:${STAFF},dashboard in ${ORG}`]);
  });

  it('refuses an overlap or a span outside working hours with 409 and its reason, writing nothing', async () => {
    const busy = [{ startMs: Date.parse(`${DAY}T09:15:00Z`), endMs: Date.parse(`${DAY}T09:45:00Z`) }];
    const { sut, events } = await setup({ busy });

    await expect(sut.book(ORG, booking('09:00'))).rejects.toMatchObject({ response: { reason: 'overlaps_appointment' } });
    await expect(sut.book(ORG, booking('11:45'))).rejects.toMatchObject({ response: { reason: 'outside_working_hours' } });
    expect(events).toEqual(['lock staff', 'lock staff']);
  });

  it("answers the exclusion constraint's 23P01 with the same 409", async () => {
    const insertError = new QueryFailedError('INSERT', [], Object.assign(new Error('conflicting key value'), { code: '23P01' }));
    const { sut, events } = await setup({ insertError });

    await expect(sut.book(ORG, booking('09:00'))).rejects.toThrow(ConflictException);
    expect(events).toEqual(['lock staff']);
  });

  it('treats staff and users of another organization as unknown', async () => {
    const { sut } = await setup();

    await expect(sut.book('org-2', booking('09:00'))).rejects.toThrow(NotFoundException);
    await expect(sut.book(ORG, { ...booking('09:00'), userId: 'user-2' })).rejects.toThrow('User user-2 not found');
  });

  it("evicts the staff member's slots after a cancellation, nothing for an unknown appointment", async () => {
    const { sut, events } = await setup();

    await sut.cancel(ORG, 'appt-1');
    await expect(sut.cancel(ORG, 'appt-2')).rejects.toThrow(NotFoundException);

    expect(events).toEqual([`evict slots:${STAFF},dashboard in ${ORG}`]);
  });
});
