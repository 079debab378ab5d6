// Read-your-writes for availability across two instances sharing the rig's Redis: a write on one
// instance evicts what the other cached (both caches are warmed first, so only invalidation can
// make them right). Needs a database that serves two app instances at once: the rig's local
// Postgres (PGlite serves one connection at a time, which two app pools cannot share).
import { createHarness, createOrg, type Harness } from './api-harness';
import { type ApiClient, apiClient, createStaff, createUser, futureMonday } from './support/api-client';

describe('read-your-writes across two instances sharing Redis', () => {
  let shared: Harness;
  let first: ApiClient;
  let second: ApiClient;

  beforeAll(async () => {
    shared = await createHarness({ redis: true });
    const one = await shared.start();
    const two = await shared.start();
    const key = (await createOrg(one, 'Shared')).apiKey;
    first = apiClient(one, key);
    second = apiClient(two, key);
  });

  afterAll(async () => {
    await shared?.close();
  });

  it('a booking on one instance removes the slot from the other, a cancellation brings it back', async () => {
    const day = futureMonday(2);
    const staffId = await createStaff(first);
    const userId = await createUser(first);
    const slotsPath = `/availability/slots?staffId=${staffId}&date=${day}&duration=30`;
    const checkPath = `/availability/check?staffId=${staffId}&start=${day}T09:00:00Z&duration=30`;
    // Warm both instances' caches first, so only invalidation can make them right.
    for (const api of [first, second, second]) {
      expect((await api.get(slotsPath).expect(200)).body.slots).toContain(`${day}T09:00:00.000Z`);
      expect((await api.get(checkPath).expect(200)).body.available).toBe(true);
    }

    const booked = await first.post('/appointments', { staffId, userId, start: `${day}T09:00:00Z`, duration: 30 }).expect(201);

    expect((await second.get(slotsPath).expect(200)).body.slots).not.toContain(`${day}T09:00:00.000Z`);
    expect((await second.get(checkPath).expect(200)).body).toEqual({ available: false, reason: 'overlaps_appointment' });
    await second.delete(`/appointments/${booked.body.id}`).expect(204);
    expect((await first.get(slotsPath).expect(200)).body.slots).toContain(`${day}T09:00:00.000Z`);
  });

  it('a change of hours on one instance shows in staff reads, lists and slots on the other', async () => {
    const day = futureMonday(2);
    const staffId = await createStaff(first);
    const slotsPath = `/availability/slots?staffId=${staffId}&date=${day}&duration=60`;
    for (const api of [first, second]) {
      await api.get(`/staff/${staffId}`).expect(200);
      await api.get('/staff?limit=100').expect(200);
      expect((await api.get(slotsPath).expect(200)).body.slots).toHaveLength(7);
    }

    await first.patch(`/staff/${staffId}`, { name: 'Renamed', workingHours: { mon: [['10:00', '11:00']] } }).expect(200);

    expect((await second.get(`/staff/${staffId}`).expect(200)).body.name).toBe('Renamed');
    const listed = await second.get('/staff?limit=100').expect(200);
    expect(listed.body.items.find((s: { id: string }) => s.id === staffId).name).toBe('Renamed');
    expect((await second.get(slotsPath).expect(200)).body.slots).toEqual([`${day}T10:00:00.000Z`]);
  });

  it('a new staff member shows in the other instance\'s list', async () => {
    await second.get('/staff?limit=100').expect(200);

    const staffId = await createStaff(first);

    const listed = await second.get('/staff?limit=100').expect(200);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(staffId);
  });
});
