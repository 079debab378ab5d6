// The e2e suites' client of /api/v1: requests with an organization's API key, and the staff,
// users and dates the domain suites (users, orders, availability, dashboard, cache) set up with it.
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { bearer } from '../api-harness';

/** Requests to /api/v1 on `app` with an organization's API key. */
export function apiClient(app: NestExpressApplication, key: string) {
  const server = () => app.getHttpServer();
  return {
    get: (path: string) => request(server()).get(`/api/v1${path}`).set(...bearer(key)),
    post: (path: string, body: object) => request(server()).post(`/api/v1${path}`).set(...bearer(key)).send(body),
    patch: (path: string, body: object) => request(server()).patch(`/api/v1${path}`).set(...bearer(key)).send(body),
    delete: (path: string) => request(server()).delete(`/api/v1${path}`).set(...bearer(key)),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** A Monday at least `weeksAhead` weeks from today (UTC), as YYYY-MM-DD: always bookable, never past. */
export function futureMonday(weeksAhead = 2): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + weeksAhead * 7);
  while (date.getUTCDay() !== 1) date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** Weekdays 09:00–12:00 and 13:00–17:00, weekends off. */
export const OFFICE_HOURS = {
  mon: [['09:00', '12:00'], ['13:00', '17:00']],
  tue: [['09:00', '12:00'], ['13:00', '17:00']],
  wed: [['09:00', '12:00'], ['13:00', '17:00']],
  thu: [['09:00', '12:00'], ['13:00', '17:00']],
  fri: [['09:00', '12:00'], ['13:00', '17:00']],
};

/** Every hour of every day, in UTC: bookable at any future instant. */
export const ALWAYS_OPEN = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [['00:00', '24:00']]]),
);

export async function createStaff(api: ApiClient, body: object = {}): Promise<string> {
  const response = await api
    .post('/staff', { name: 'Barber', timezone: 'UTC', workingHours: OFFICE_HOURS, ...body })
    .expect(201);
  return response.body.id as string;
}

export async function createUser(api: ApiClient): Promise<string> {
  const email = `u${Date.now()}${Math.random().toString(36).slice(2)}@example.com`;
  const response = await api.post('/users', { email, name: 'Customer' }).expect(201);
  return response.body.id as string;
}
