'use strict';
// Seeds what the measured routes read, and picks the route: GET /api/v1/users/:id behind an
// API key when the API has it, else the demo route GET /demo/items/:id.
//
// Payload size: the issue asks for ~2 KB responses. A user row is at most 320 + 200 characters
// of email and name, so names and emails are filled to their column limits with a 4-byte UTF-8
// character: ~2.2 KB of JSON per user. A demo item holds only a 200-character name (~0.9 KB).
const { withClient } = require('../../../scripts/lib/postgres');
const { request, expectStatus } = require('./http');

const WIDE = '\u{1F680}'; // 4 bytes in UTF-8, one character for Postgres' varchar limits
const STAMPEDE_KEYS = 20;
// Emails are 'u' + 7 digits + '@' + 311 wide characters = 320 characters, the column's limit.

/**
 * @param {{ api: { baseUrl: string }, databaseUrl: string, adminToken: string, missKeys: number }} options
 * @returns {Promise<Target>}
 */
async function seed({ api, databaseUrl, adminToken, missKeys, log }) {
  const org = await expectStatus(201, `${api.baseUrl}/admin/orgs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}` },
    body: { name: 'bench' },
  });
  const { id: orgId, apiKey } = org.json();
  const headers = { authorization: `Bearer ${apiKey}` };
  const probe = await request(`${api.baseUrl}/api/v1/users/00000000-0000-4000-8000-000000000000`, { headers });
  const usersRouteExists = probe.status === 404 && !/Cannot GET/.test(probe.body);
  if (usersRouteExists) return seedUsers({ databaseUrl, orgId, headers, missKeys, log });
  log(`GET /api/v1/users/:id is not served yet (${probe.status}): measuring the demo route GET /demo/items/:id`);
  return seedDemo({ databaseUrl, missKeys, log });
}

async function seedUsers({ databaseUrl, orgId, headers, missKeys, log }) {
  const count = 1 + STAMPEDE_KEYS + missKeys;
  const started = Date.now();
  const ids = await withClient(databaseUrl, async (client) => {
    const { rows } = await client.query(
      `INSERT INTO users (org_id, email, name, role)
         SELECT $1, 'u' || lpad(g::text, 7, '0') || '@' || repeat($2, 311), repeat($2, 200), 'member'
         FROM generate_series(1, $3) AS g
       RETURNING id, email`,
      [orgId, WIDE, count],
    );
    await client.query('ANALYZE users');
    return rows.sort((a, b) => (a.email < b.email ? -1 : 1)).map((row) => row.id);
  });
  log(`seeded ${count} users of ~2 KB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const [hot, ...rest] = ids;
  return {
    kind: 'users',
    route: 'GET /api/v1/users/:id',
    headers,
    realPath: `/api/v1/users/${hot}`,
    ceilingPath: `/bench/ceiling/users/${hot}`,
    peerPath: `/bench/peer/users/${hot}`,
    uncachedQueryPath: `/bench/uncached/users/${hot}`,
    stampedePaths: rest.slice(0, STAMPEDE_KEYS).map((id) => `/api/v1/users/${id}`),
    missPaths: rest.slice(STAMPEDE_KEYS).map((id) => `/api/v1/users/${id}`),
  };
}

async function seedDemo({ databaseUrl, missKeys, log }) {
  const first = 1000;
  await withClient(databaseUrl, async (client) => {
    await client.query(
      `INSERT INTO demo_items (id, name, updated_at)
         SELECT g, repeat($1, 200), now() FROM generate_series(1, $2) AS g
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name`,
      [WIDE, first + missKeys],
    );
    await client.query('ANALYZE demo_items');
  });
  log(`seeded ${first + missKeys} demo items`);
  const range = (from, n) => Array.from({ length: n }, (_, i) => `/demo/items/${from + i}`);
  return {
    kind: 'demo',
    route: 'GET /demo/items/:id',
    headers: {},
    realPath: '/demo/items/1',
    ceilingPath: '/bench/ceiling/demo/1',
    peerPath: '/bench/peer/demo/items/1',
    uncachedQueryPath: '/bench/uncached/demo/items/1',
    stampedePaths: range(2, STAMPEDE_KEYS),
    missPaths: range(first, missKeys),
  };
}

module.exports = { seed };
