// /api/v1/staff, /availability and /appointments: validation naming fields, slots and checks,
// bookings refused by overlap and hours (also under 20 concurrent bookings of one slot), and
// isolation between organizations; caching headers, the seed, and the database constraint.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { createHarness, createOrg, type Harness } from './api-harness';
import { availabilitySeeder } from '../src/availability/availability.seeder';
import { runSeeders } from '../src/database/seed/seed';
import { organizationsSeeder } from '../src/database/seed/organizations.seeder';
import { usersSeeder } from '../src/database/seed/users.seeder';
import { ALWAYS_OPEN, type ApiClient, apiClient, createStaff, createUser, futureMonday } from './support/api-client';

let harness: Harness;
let app: NestExpressApplication;
let api: ApiClient;
let other: ApiClient;

beforeAll(async () => {
  harness = await createHarness();
  app = await harness.start();
  api = apiClient(app, (await createOrg(app, 'Barbers')).apiKey);
  other = apiClient(app, (await createOrg(app, 'Other')).apiKey);
});

afterAll(async () => {
  await harness?.close();
});

describe('staff', () => {
  it('creates, reads, lists and updates a staff member', async () => {
    const created = await api
      .post('/staff', { name: 'Ana', timezone: 'europe/berlin', workingHours: { mon: [['09:00', '17:00']], sun: [] } })
      .expect(201);
    const id = created.body.id as string;

    expect(created.body).toMatchObject({ name: 'Ana', timezone: 'Europe/Berlin', workingHours: { mon: [['09:00', '17:00']] } });
    await api.get(`/staff/${id}`).expect(200, created.body);
    const list = await api.get('/staff?page=1&limit=100').expect(200);
    expect(list.body).toMatchObject({ page: 1, limit: 100 });
    expect(list.body.items.map((s: { id: string }) => s.id)).toContain(id);

    const patched = await api.patch(`/staff/${id}`, { name: 'Ana B.', workingHours: { tue: [['10:00', '24:00']] } }).expect(200);

    expect(patched.body).toMatchObject({ id, name: 'Ana B.', timezone: 'Europe/Berlin', workingHours: { tue: [['10:00', '24:00']] } });
    expect((await api.get(`/staff/${id}`).expect(200)).body.name).toBe('Ana B.');
    const relisted = await api.get('/staff?limit=100').expect(200);
    expect(relisted.body.items.find((s: { id: string }) => s.id === id).name).toBe('Ana B.');
  });

  it('pages with a total', async () => {
    const org = apiClient(app, (await createOrg(app, 'Paging')).apiKey);
    for (const name of ['a', 'b', 'c']) await createStaff(org, { name });

    const second = await org.get('/staff?page=2&limit=2').expect(200);

    expect(second.body).toMatchObject({ page: 2, limit: 2, total: 3 });
    expect(second.body.items.map((s: { name: string }) => s.name)).toEqual(['c']);
    const defaults = await org.get('/staff').expect(200);
    expect(defaults.body).toMatchObject({ page: 1, limit: 20, total: 3 });
    await org.get('/staff?limit=0').expect(400);
    await org.get('/staff?limit=101').expect(400);
  });

  it('answers bad input with 400 naming every field', async () => {
    const response = await api
      .post('/staff', {
        name: '',
        timezone: 'Mars/Base',
        workingHours: { mon: [['09:00', '12:00'], ['11:00', '13:00']], tue: [['17:00', '09:00']], funday: [], wed: [['9:00', '10:00']] },
      })
      .expect(400);

    const message = (response.body.message as string[]).join('\n');
    expect(message).toContain('name must be longer than or equal to 1 characters');
    expect(message).toContain('timezone must be an IANA time zone');
    expect(message).toContain('workingHours.mon[1] overlaps workingHours.mon[0]');
    expect(message).toContain('workingHours.tue[0] start must be before its end');
    expect(message).toContain('workingHours.funday is not a day');
    expect(message).toContain('workingHours.wed[0] start must be HH:MM');
    const missing = await api.post('/staff', {}).expect(400);
    expect((missing.body.message as string[]).join('\n')).toMatch(/name[\s\S]*timezone[\s\S]*workingHours/);
    await api.post('/staff', { name: 'x', timezone: 'UTC', workingHours: {}, extra: 1 }).expect(400);
    const nul = await api.post('/staff', { name: 'a\u0000b', timezone: 'UTC', workingHours: {} }).expect(400);
    expect(nul.body.message).toEqual(['name must not contain NUL characters']);
    const blank = await api.post('/staff', { name: '   ', timezone: 'UTC', workingHours: {} }).expect(400);
    expect(blank.body.message).toEqual(['name must be longer than or equal to 1 characters']);
  });

  it('refuses null in a PATCH, answers 400 for a malformed id and 404 for an unknown one', async () => {
    const id = await createStaff(api);

    const nulls = await api.patch(`/staff/${id}`, { workingHours: null, timezone: 'Nowhere/Land' }).expect(400);

    expect((nulls.body.message as string[]).join('\n')).toMatch(/timezone[\s\S]*workingHours|workingHours[\s\S]*timezone/);
    await api.get('/staff/not-a-uuid').expect(400);
    await api.get('/staff/00000000-0000-4000-8000-000000000000').expect(404);
    await api.patch('/staff/00000000-0000-4000-8000-000000000000', { name: 'x' }).expect(404);
  });
});

describe('slots and checks', () => {
  const day = futureMonday();

  it('lists the free starts of the day, stepping by the duration from each interval start', async () => {
    const staffId = await createStaff(api, { workingHours: { mon: [['09:00', '10:30'], ['14:00', '15:00']] } });

    const response = await api.get(`/availability/slots?staffId=${staffId}&date=${day}&duration=30`).expect(200);

    expect(response.body).toEqual({
      staffId,
      date: day,
      duration: 30,
      slots: ['09:00', '09:30', '10:00', '14:00', '14:30'].map((t) => `${day}T${t}:00.000Z`),
    });
    const hour = await api.get(`/availability/slots?staffId=${staffId}&date=${day}&duration=60`).expect(200);
    expect(hour.body.slots).toEqual([`${day}T09:00:00.000Z`, `${day}T14:00:00.000Z`]);
  });

  it("reads the date in the staff member's time zone", async () => {
    const staffId = await createStaff(api, { timezone: 'Asia/Tokyo', workingHours: { mon: [['08:00', '09:00']] } });

    const response = await api.get(`/availability/slots?staffId=${staffId}&date=${day}&duration=60`).expect(200);

    const previous = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect(response.body.slots).toEqual([`${previous}T23:00:00.000Z`]);
  });

  it('fits the slots of a spring-forward night into the hours that really exist', async () => {
    // The next last Sunday of March: Europe/Berlin goes from 02:00 CET to 03:00 CEST.
    const year = new Date().getUTCFullYear() + 1;
    const lastOfMarch = new Date(Date.UTC(year, 2, 31));
    const sunday = new Date(Date.UTC(year, 2, 31 - lastOfMarch.getUTCDay())).toISOString().slice(0, 10);
    const staffId = await createStaff(api, { timezone: 'Europe/Berlin', workingHours: { sun: [['01:00', '04:00']] } });

    const response = await api.get(`/availability/slots?staffId=${staffId}&date=${sunday}&duration=60`).expect(200);

    expect(response.body.slots).toEqual([`${sunday}T00:00:00.000Z`, `${sunday}T01:00:00.000Z`]);
  });

  it('answers bad queries with 400 naming the field, and an unknown staff member with 404', async () => {
    const staffId = await createStaff(api);
    const base = `/availability/slots?staffId=${staffId}`;

    const badDate = await api.get(`${base}&date=2026-02-30&duration=30`).expect(400);
    const badDuration = await api.get(`${base}&date=${day}&duration=4`).expect(400);
    const badId = await api.get(`/availability/slots?staffId=nope&date=${day}`).expect(400);
    const badStart = await api.get(`/availability/check?staffId=${staffId}&start=${day}T09:00:00&duration=30`).expect(400);
    await api.get(`${base}&date=${day}&duration=481`).expect(400);
    await api.get(`${base}&date=${day}&duration=30.5`).expect(400);
    await api.get(`/availability/slots?staffId=00000000-0000-4000-8000-000000000000&date=${day}`).expect(404);

    expect(badDate.body.message).toEqual(['date must be a calendar date written YYYY-MM-DD']);
    expect(badDuration.body.message).toEqual(['duration must not be less than 5']);
    expect(badId.body.message).toEqual(['staffId must be a UUID']);
    expect(badStart.body.message).toEqual(['start must be an ISO-8601 date-time with an offset, e.g. 2026-11-23T09:00:00Z']);
  });

  it('checks a span, with the reason it cannot be booked', async () => {
    const staffId = await createStaff(api);
    const check = (start: string, duration = 30) =>
      api.get(`/availability/check?staffId=${staffId}&start=${encodeURIComponent(start)}&duration=${duration}`).expect(200);

    expect((await check(`${day}T09:00:00Z`)).body).toEqual({ available: true });
    expect((await check(`${day}T10:00:00+01:00`)).body).toEqual({ available: true });
    expect((await check(`${day}T11:45:00Z`)).body).toEqual({ available: false, reason: 'outside_working_hours' });
    expect((await check(`${day}T08:00:00Z`)).body).toEqual({ available: false, reason: 'outside_working_hours' });
    expect((await check('2020-01-06T09:00:00Z')).body).toEqual({ available: false, reason: 'in_the_past' });
  });
});

describe('appointments', () => {
  const day = futureMonday(3);
  const at = (time: string): string => `${day}T${time}:00.000Z`;

  it('books a free slot (201), refuses an overlap and hours outside work (409), and a delete frees it', async () => {
    const staffId = await createStaff(api);
    const userId = await createUser(api);
    const slotsPath = `/availability/slots?staffId=${staffId}&date=${day}&duration=30`;
    const checkPath = `/availability/check?staffId=${staffId}&start=${at('09:00')}&duration=30`;
    expect((await api.get(slotsPath).expect(200)).body.slots).toContain(at('09:00'));
    expect((await api.get(checkPath).expect(200)).body).toEqual({ available: true });

    const booked = await api.post('/appointments', { staffId, userId, start: at('09:00'), duration: 30 }).expect(201);

    expect(booked.body).toMatchObject({ staffId, userId, start: at('09:00'), end: at('09:30'), duration: 30 });
    expect((await api.get(slotsPath).expect(200)).body.slots).not.toContain(at('09:00'));
    expect((await api.get(checkPath).expect(200)).body).toEqual({ available: false, reason: 'overlaps_appointment' });
    const overlap = await api.post('/appointments', { staffId, userId, start: at('09:15'), duration: 30 }).expect(409);
    expect(overlap.body).toMatchObject({ statusCode: 409, error: 'Conflict', reason: 'overlaps_appointment' });
    const outside = await api.post('/appointments', { staffId, userId, start: at('11:45'), duration: 30 }).expect(409);
    expect(outside.body.reason).toBe('outside_working_hours');
    const past = await api.post('/appointments', { staffId, userId, start: '2020-01-06T09:00:00Z', duration: 30 }).expect(409);
    expect(past.body.reason).toBe('in_the_past');
    await api.post('/appointments', { staffId, userId, start: at('09:30'), duration: 30 }).expect(201);

    const listed = await api.get(`/appointments?staffId=${staffId}&date=${day}`).expect(200);
    expect(listed.body).toMatchObject({ page: 1, limit: 20, total: 2 });
    expect(listed.body.items.map((a: { start: string }) => a.start)).toEqual([at('09:00'), at('09:30')]);

    await api.delete(`/appointments/${booked.body.id}`).expect(204);
    await api.delete(`/appointments/${booked.body.id}`).expect(404);
    expect((await api.get(slotsPath).expect(200)).body.slots).toContain(at('09:00'));
    expect((await api.get(checkPath).expect(200)).body).toEqual({ available: true });
    await api.post('/appointments', { staffId, userId, start: at('09:00'), duration: 30 }).expect(201);
  });

  it('gives exactly one 201 and nineteen 409 to twenty concurrent bookings of one slot', async () => {
    const staffId = await createStaff(api, { workingHours: ALWAYS_OPEN });
    const userId = await createUser(api);

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.post('/appointments', { staffId, userId, start: at('10:00'), duration: 15 + (i % 4) * 15 }),
      ),
    );

    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array<number>(19).fill(409)]);
    const listed = await api.get(`/appointments?staffId=${staffId}`).expect(200);
    expect(listed.body.total).toBe(1);
  });

  it('keeps a user with appointments from being deleted (409) until they are cancelled', async () => {
    const staffId = await createStaff(api);
    const userId = await createUser(api);
    const booked = await api.post('/appointments', { staffId, userId, start: at('13:00'), duration: 30 }).expect(201);

    await api.delete(`/users/${userId}`).expect(409);
    await api.delete(`/appointments/${booked.body.id}`).expect(204);
    await api.delete(`/users/${userId}`).expect(204);
  });

  it('answers 400 for bad bookings and 404 for unknown staff or users', async () => {
    const staffId = await createStaff(api);
    const userId = await createUser(api);

    const bad = await api.post('/appointments', { staffId: 'x', userId, start: 'soon', duration: 0 }).expect(400);

    expect((bad.body.message as string[]).join('\n')).toMatch(/staffId[\s\S]*start[\s\S]*duration/);
    await api.post('/appointments', { staffId, userId: '00000000-0000-4000-8000-000000000000', start: at('09:00'), duration: 30 }).expect(404);
    await api.post('/appointments', { staffId: '00000000-0000-4000-8000-000000000000', userId, start: at('09:00'), duration: 30 }).expect(404);
    await api.get('/appointments?date=2026-13-01').expect(400);
    await api.delete('/appointments/nope').expect(400);
  });
});

describe('caching, as a client sees it', () => {
  it('serves repeated reads from the cache and the read after each write fresh', async () => {
    const day = futureMonday(6);
    const staffId = await createStaff(api);
    const userId = await createUser(api);
    const slotsPath = `/availability/slots?staffId=${staffId}&date=${day}&duration=30`;
    const checkPath = `/availability/check?staffId=${staffId}&start=${day}T09:00:00Z&duration=30`;
    const xCache = async (path: string) => (await api.get(path).expect(200)).headers['x-cache'];

    for (const path of [`/staff/${staffId}`, '/staff', slotsPath, checkPath]) {
      expect([await xCache(path), await xCache(path)]).toEqual(['MISS', 'HIT']);
    }
    await api.patch(`/staff/${staffId}`, { name: 'Renamed' }).expect(200);
    for (const path of [`/staff/${staffId}`, '/staff', slotsPath, checkPath]) expect(await xCache(path)).toBe('MISS');
    await xCache(slotsPath);

    await api.post('/appointments', { staffId, userId, start: `${day}T09:00:00Z`, duration: 30 }).expect(201);

    expect([await xCache(slotsPath), await xCache(checkPath), await xCache(`/staff/${staffId}`)]).toEqual(['MISS', 'MISS', 'HIT']);
    expect(await xCache(`/appointments?staffId=${staffId}`)).toBe('BYPASS');
    const etag = (await api.get(slotsPath).expect(200)).headers.etag;
    await api.get(slotsPath).set('if-none-match', etag).expect(304);
  });
});

describe('isolation between organizations', () => {
  it("never shows or books another organization's staff, users or appointments", async () => {
    const day = futureMonday(4);
    const staffId = await createStaff(api);
    const userId = await createUser(api);
    const otherUserId = await createUser(other);
    const booked = await api.post('/appointments', { staffId, userId, start: `${day}T09:00:00Z`, duration: 30 }).expect(201);

    await other.get(`/staff/${staffId}`).expect(404);
    await other.patch(`/staff/${staffId}`, { name: 'stolen' }).expect(404);
    await other.get(`/availability/slots?staffId=${staffId}&date=${day}`).expect(404);
    await other.get(`/availability/check?staffId=${staffId}&start=${day}T10:00:00Z`).expect(404);
    await other.post('/appointments', { staffId, userId: otherUserId, start: `${day}T10:00:00Z`, duration: 30 }).expect(404);
    await api.post('/appointments', { staffId, userId: otherUserId, start: `${day}T10:00:00Z`, duration: 30 }).expect(404);
    await other.delete(`/appointments/${booked.body.id}`).expect(404);
    const theirs = await other.get(`/appointments?date=${day}`).expect(200);
    expect(theirs.body.items).toEqual([]);
    const staffList = await other.get('/staff?limit=100').expect(200);
    expect(staffList.body.items.map((s: { id: string }) => s.id)).not.toContain(staffId);
  });
});

describe('the seed', () => {
  it('gives the demo organizations staff with upcoming appointments, and is safe to rerun', async () => {
    const seeders = [organizationsSeeder, usersSeeder, availabilitySeeder];

    const first = await runSeeders(app, seeders);
    const second = await runSeeders(app, seeders);

    expect(second.notes).toContain('staff: 0 created; appointments: 0 booked');
    for (const org of second.orgs) {
      const seeded = apiClient(app, org.apiKey);
      const staff = await seeded.get('/staff').expect(200);
      const appointments = await seeded.get('/appointments?limit=100').expect(200);
      expect(staff.body.total).toBe(org.slug === 'barbers' ? 3 : 1);
      expect(appointments.body.total).toBe(staff.body.total * 4);
    }
    expect(first.notes).toContain('staff: 4 created; appointments: 16 booked');
  });
});

describe('the database itself', () => {
  it('refuses overlapping appointments of one staff member (exclusion constraint, on Postgres and PGlite)', async () => {
    const dataSource = app.get(DataSource);
    const [{ installed }] = (await dataSource.query(
      "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'appointments_no_overlap_ex') AS installed",
    )) as { installed: boolean }[];
    // Both the rig's PGlite and the app's embedded one load btree_gist, so the constraint exists everywhere.
    expect(installed).toBe(true);
    const day = futureMonday(5);
    const staffId = await createStaff(api);
    const userId = await createUser(api);
    const booked = await api.post('/appointments', { staffId, userId, start: `${day}T09:00:00Z`, duration: 30 }).expect(201);
    const rows = (await dataSource.query('SELECT org_id FROM appointments WHERE id = $1', [booked.body.id])) as { org_id: string }[];

    const insert = dataSource.query(
      `INSERT INTO appointments (org_id, staff_id, user_id, start_at, end_at, duration_minutes)
       VALUES ($1, $2, $3, $4::timestamptz, $4::timestamptz + interval '30 minutes', 30)`,
      [rows[0].org_id, staffId, userId, `${day}T09:15:00Z`],
    );

    await expect(insert).rejects.toMatchObject({ driverError: { code: '23P01' } });
  });
});
