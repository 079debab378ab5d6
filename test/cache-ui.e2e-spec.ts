// The operator dashboard (/cache/ui) in a real browser: Debian's Chromium driven by
// playwright-core against the app as users start it, on the rig's Redis (keys under a prefix of
// this suite's own). Each test opens its own tab and signs in; keys are seeded per test under an
// organization of its own.
import { CacheFleet, CacheService } from '@app/cache';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { createHarness, createOrg, type Harness, OPERATOR_TOKEN } from './api-harness';
import { type Browser, launchChromium, openPage, outsideRequests, type WatchedPage } from './cache-ui-browser';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const SCREENSHOT = join(__dirname, '..', '.test-output', 'cache-ui.png');
const XSS = '<img src=x onerror=alert(1)>';
const BROWSER_TEST_MS = 60_000;

let harness: Harness;
let app: NestExpressApplication;
let cache: CacheService;
let browser: Browser;
let baseUrl: string;
let watched: WatchedPage | undefined;

const uniqueOrg = (name: string) => `ui-${name}-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  // The browser first: without it the suite fails here, with the install command, before any app starts.
  browser = await launchChromium();
  // Chromium shares the CPU with the other suites: a 1 s command timeout keeps a slow moment from
  // opening the circuit breaker (health would read degraded, keys come from the fallback).
  // Hot keys counted on every hit (no sampling), and fleet reports twice a second, so the fleet test sees its reads soon.
  harness = await createHarness({ redis: true, env: { REDIS_COMMAND_TIMEOUT_MS: '1000', CACHE_HOT_KEYS_SAMPLE_EVERY: '1', CACHE_FLEET_PUBLISH_INTERVAL_MS: '500' } });
  app = await harness.start();
  await app.listen(0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  cache = app.get(CacheService);
}, BROWSER_TEST_MS);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

afterEach(async () => {
  if (watched === undefined) return;
  const { requests, dialogs } = watched;
  await watched.page.close();
  watched = undefined;
  expect(requests.length).toBeGreaterThan(0);
  expect(outsideRequests(requests)).toEqual([]);
  expect(dialogs).toEqual([]);
});

async function open(): Promise<Page> {
  watched = await openPage(browser.context);
  await watched.page.goto(`${baseUrl}/cache/ui`);
  return watched.page;
}

async function signIn(token = OPERATOR_TOKEN): Promise<Page> {
  const page = await open();
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

/** Confirms the page's own dialog (or cancels it) and waits for it to close. */
async function answerConfirm(page: Page, confirm: boolean): Promise<void> {
  await page.locator('#confirm[open]').waitFor();
  await page.locator(confirm ? '#confirm-ok' : '#confirm-cancel').click();
  await page.locator('#confirm[open]').waitFor({ state: 'detached' });
}

async function listedKeys(page: Page): Promise<string[]> {
  return page.locator('#key-list button').allTextContents();
}

/**
 * Searches and pages along the SCAN cursor until `until` says stop or the scan ends; returns every
 * key listed. The rig's Redis is shared, so one SCAN page rarely holds all of a pattern's keys.
 */
async function searchKeys(page: Page, pattern: string, options: { count?: number; until?: (keys: string[]) => boolean } = {}): Promise<string[]> {
  await page.locator('#key-pattern').fill(pattern);
  await page.locator('#key-count').fill(String(options.count ?? 1000));
  await page.getByRole('button', { name: 'Search' }).click();
  await page.locator('#key-page').filter({ hasText: /^Page 1:/ }).waitFor();
  const seen = new Set(await listedKeys(page));
  for (let pages = 1; !(options.until?.(await listedKeys(page)) ?? false) && (await page.locator('#key-next').isVisible()); pages++) {
    await page.locator('#key-next').click();
    await page.locator('#key-page').filter({ hasText: new RegExp(`^Page ${pages + 1}:`) }).waitFor();
    for (const key of await listedKeys(page)) seen.add(key);
  }
  return [...seen].sort();
}

/** Finds a key through the search and opens its detail. */
async function openKey(page: Page, key: string): Promise<void> {
  await searchKeys(page, key, { until: (keys) => keys.includes(key) });
  await page.locator('#key-list').getByText(key, { exact: true }).click();
  await page.locator('#key-detail-name').filter({ hasText: key }).waitFor();
}

/** Polls until the chart has drawn at least `points` intervals (the page's CSP forbids waitForFunction's eval). */
async function waitForChartPoints(page: Page, points: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Number(await page.locator('#chart').getAttribute('data-points')) < points) {
    if (Date.now() > deadline) throw new Error(`The chart has not reached ${points} point(s) in 10 s`);
    await page.waitForTimeout(200);
  }
}

describe('/cache/ui', () => {
  it('serves the page and its assets from the app with the CSP, and no inline script', async () => {
    const server = app.getHttpServer();
    const page = await request(server).get('/cache/ui').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toBe(CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/); // every script has a src
    expect(page.text).not.toMatch(/\son[a-z]+=|style=/i); // no inline handlers or styles
    const references = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(references.filter((url) => !url.startsWith('/cache/ui/') && !url.startsWith('data:'))).toEqual([]);
    for (const asset of references.filter((url) => url.startsWith('/cache/ui/'))) {
      const served = await request(server).get(asset);
      expect([asset, served.status, served.headers['content-security-policy']]).toEqual([asset, 200, CSP]);
    }
    await request(server).get('/cache/ui/app.js').expect('content-type', /^text\/javascript/);
    await request(server).get('/cache/ui/package.json').expect(404);
    await request(server).get('/cache/ui/..%2F..%2Fpackage.json').expect(404);
  });

  it('refuses a wrong token and a tenant key with "Wrong token", and keeps neither', async () => {
    const tenant = await createOrg(app, 'UiTenant');
    const page = await signIn('not-the-operator-token');
    await page.locator('#sign-in-error').filter({ hasText: 'Wrong token' }).waitFor();
    expect(await page.locator('#dashboard').isHidden()).toBe(true);

    await page.locator('#token').fill(tenant.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#sign-in-error').filter({ hasText: 'Wrong token' }).waitFor();
    expect(await page.evaluate('JSON.stringify(sessionStorage)')).toBe('{}');
    expect(watched?.requests.every((url) => !url.includes(tenant.apiKey) && !url.includes('not-the-operator'))).toBe(true);
  }, BROWSER_TEST_MS);

  it('signs in, shows health, a drawn hit-ratio chart, per-namespace and per-org stats and the report', async () => {
    const org = uniqueOrg('stats');
    const page = await signIn();
    await page.locator('#health-status').filter({ hasText: 'healthy' }).waitFor();
    expect(await page.locator('#health-store').textContent()).toBe('redis');
    expect(await page.locator('#health-mode').textContent()).toBe('standalone');
    expect(await page.locator('#health-fallback').textContent()).toBe('inactive');
    expect(await page.locator('#health-latency').textContent()).toMatch(/^\d+(\.\d)? ms$/);
    // The token is in this tab's sessionStorage, never in the URL.
    expect(await page.evaluate("sessionStorage.getItem('cache-ui.operator-token')")).toBe(OPERATOR_TOKEN);
    expect(page.url()).toBe(`${baseUrl}/cache/ui`);

    // Reads between polls: each poll adds a point (hit ratio and rate over the interval).
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) await cache.getOrSet(`item-${i % 5}`, () => ({ i }), { org, namespace: 'ui-demo', ttlMs: 60_000 });
      await waitForChartPoints(page, round + 1);
    }
    // Page-side code as a string: the Node typecheck has no DOM types.
    const drawnPixels = await page.evaluate(`(() => {
      const canvas = document.querySelector('#chart canvas');
      if (canvas === null) return -1;
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let drawn = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) drawn++;
      return drawn;
    })()`);
    expect(drawnPixels).toBeGreaterThan(1000);

    const namespaceRow = page.locator('#namespaces tr[data-name="ui-demo"]');
    await namespaceRow.waitFor();
    const cells = await namespaceRow.locator('td').allTextContents();
    expect(cells[0]).toBe('ui-demo');
    expect(Number(cells[1])).toBeGreaterThan(0); // hits
    expect(cells[3]).toMatch(/ %$/);
    await page.locator(`#orgs tr[data-name="${org}"]`).waitFor();
    await page.locator('#report-status').filter({ hasText: /^(ok|warning|critical)$/ }).waitFor();
    expect(await page.locator('#recommendations li, #alerts li').count()).toBeGreaterThan(0);

  }, BROWSER_TEST_MS);

  it('searches keys page by page along the SCAN cursor, shows a key and deletes it after confirmation', async () => {
    const org = uniqueOrg('keys');
    const ids = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    for (const id of ids) await cache.set(id, { id }, { org, namespace: 'users', ttlMs: 120_000, tags: [`user:${id}`, 'users'] });
    const page = await signIn();

    // A SCAN count of a quarter of the database's keys (the rig's Redis is shared): a few pages.
    const stats = await request(app.getHttpServer()).get('/cache/stats').set('authorization', `Bearer ${OPERATOR_TOKEN}`).expect(200);
    const count = Math.min(1000, Math.max(2, Math.ceil(stats.body.redis.keys / 4)));
    const seen = await searchKeys(page, `${org}:users:*`, { count });
    expect(Number((await page.locator('#key-page').textContent())?.match(/^Page (\d+):/)?.[1])).toBeGreaterThan(1);
    expect(await page.locator('#key-page').textContent()).toMatch(/end of the scan/);
    expect(seen).toEqual(ids.map((id) => `${org}:users:${id}`).sort());

    const key = `${org}:users:user-3`;
    await openKey(page, key);
    expect(await page.locator('#key-ttl').textContent()).toMatch(/^\d+ (s|min)$/);
    expect(await page.locator('#key-size').textContent()).toMatch(/^\d+ B$/);
    expect(await page.locator('#key-encoding').textContent()).toMatch(/^json/);
    expect(await page.locator('#key-tags').textContent()).toBe('user:user-3, users');

    await page.getByRole('button', { name: 'Delete key' }).click();
    await answerConfirm(page, false);
    expect(await cache.get('user-3', { org, namespace: 'users' })).toEqual({ id: 'user-3' });
    await page.getByRole('button', { name: 'Delete key' }).click();
    await answerConfirm(page, true);
    await page.locator('#key-result').filter({ hasText: `Deleted ${key}` }).waitFor();
    expect(await cache.get('user-3', { org, namespace: 'users' })).toBeUndefined();
    expect(await listedKeys(page)).not.toContain(key);
    expect(await searchKeys(page, `${org}:users:*`)).not.toContain(key);
  }, BROWSER_TEST_MS);

  it('invalidates a tag, then an organization, after confirmation, and their keys are gone', async () => {
    const org = uniqueOrg('tags');
    for (const id of ['a', 'b', 'c']) await cache.set(id, id, { org, namespace: 'orders', ttlMs: 120_000, tags: ['ui-tagged'] });
    await cache.set('kept', 'kept', { org, namespace: 'orders', ttlMs: 120_000, tags: ['other'] });
    const page = await signIn();
    expect(await searchKeys(page, `${org}:orders:*`)).toEqual(['a', 'b', 'c', 'kept'].map((id) => `${org}:orders:${id}`));

    await page.locator('#invalidate-by').selectOption('tags');
    await page.locator('#invalidate-value').fill('ui-tagged');
    await page.locator('#invalidate-org').fill(org);
    await page.getByRole('button', { name: 'Invalidate…' }).click();
    expect(await page.locator('#confirm-message').textContent()).toBe(`Invalidate tags ui-tagged in organization ${org}?`);
    await answerConfirm(page, true);
    await page.locator('#invalidate-result.ok').filter({ hasText: 'Invalidated 3 key(s)' }).waitFor();

    expect(await searchKeys(page, `${org}:orders:*`)).toEqual([`${org}:orders:kept`]);

    // By organization: every key of that one, no other's.
    const neighbour = uniqueOrg('neighbour');
    await cache.set('n', 'n', { org: neighbour, namespace: 'orders', ttlMs: 120_000 });
    await page.locator('#invalidate-by').selectOption('org');
    await page.getByRole('button', { name: 'Invalidate…' }).click();
    expect(await page.locator('#confirm-message').textContent()).toBe(`Invalidate every key in organization ${org}?`);
    await answerConfirm(page, true);
    await page.locator('#invalidate-result.ok').filter({ hasText: 'Invalidated 1 key(s)' }).waitFor();
    expect(await cache.get('kept', { org, namespace: 'orders' })).toBeUndefined();
    expect(await cache.get('n', { org: neighbour, namespace: 'orders' })).toBe('n');
    await page.locator('#invalidate-by').selectOption('tags');
    await page.locator('#invalidate-value').fill('ui-tagged');

    // An error is shown too: an organization id the API refuses.
    await page.locator('#invalidate-org').fill('not an org');
    await page.getByRole('button', { name: 'Invalidate…' }).click();
    await answerConfirm(page, true);
    await page.locator('#invalidate-result.failed').filter({ hasText: /^Invalidation failed: 400/ }).waitFor();
  }, BROWSER_TEST_MS);

  it('warms now and shows each job with its outcome', async () => {
    const page = await signIn();
    await page.getByRole('button', { name: 'Warm…' }).click();
    await answerConfirm(page, true);
    await page.locator('#warm-result').filter({ hasText: /^Ran \d+ job/ }).waitFor({ timeout: 20_000 });
    const rows = await page.locator('#warm-jobs-table tbody tr').all();
    const outcomes = await Promise.all(rows.map(async (row) => [await row.getAttribute('data-job'), await row.getAttribute('data-outcome')]));
    expect(outcomes.length).toBeGreaterThan(0);
    for (const [job, outcome] of outcomes) expect([job, outcome]).toEqual([expect.any(String), expect.stringMatching(/^(ok|skipped|failed)$/)]);

    await page.locator('#warm-jobs').fill('no-such-job');
    await page.getByRole('button', { name: 'Warm…' }).click();
    await answerConfirm(page, true);
    await page.locator('#warm-result.failed').filter({ hasText: /^Warming failed: 400/ }).waitFor();
  }, BROWSER_TEST_MS);

  it('resets the stats after confirmation and the tables start over', async () => {
    const org = uniqueOrg('reset');
    const page = await signIn();
    await cache.getOrSet('x', () => 1, { org, namespace: 'ui-reset', ttlMs: 60_000 });
    await page.locator('#namespaces tr[data-name="ui-reset"]').waitFor({ timeout: 10_000 });

    await page.getByRole('button', { name: 'Reset stats…' }).click();
    await answerConfirm(page, true);
    await page.locator('#reset-result.ok').filter({ hasText: /^Stats reset/ }).waitFor();
    await page.locator('#namespaces tr[data-name="ui-reset"]').waitFor({ state: 'detached', timeout: 10_000 });
    expect((await request(app.getHttpServer()).get('/cache/stats').set('authorization', `Bearer ${OPERATOR_TOKEN}`)).body.orgs[org]).toBeUndefined();
  }, BROWSER_TEST_MS);

  it('shows a key named like an HTML tag as text: nothing runs, the literal name is visible', async () => {
    const org = uniqueOrg('xss');
    await cache.set(XSS, 'value', { org, namespace: 'users', ttlMs: 120_000, tags: [XSS] });
    const page = await signIn();
    const key = `${org}:users:${XSS}`;
    expect(await searchKeys(page, `${org}:users:*`)).toEqual([key]);
    await openKey(page, key);
    expect(await page.locator('#key-tags').textContent()).toBe(XSS);
    expect(await page.locator('#keys-panel img').count()).toBe(0);
    await page.waitForTimeout(300); // an onerror would fire as soon as the image failed
    // afterEach asserts no dialog (alert) fired and no request left 127.0.0.1 (no GET /cache/ui/x).
    expect(watched?.requests.some((url) => url.endsWith('/x'))).toBe(false);
  }, BROWSER_TEST_MS);

  // Last: it starts a second instance on the same Redis and prefix, which then belongs to the fleet.
  it('shows the fleet by default: both instances, summed namespaces, organization names, hot keys and a clock time axis', async () => {
    const second = await harness.start();
    const secondCache = second.get(CacheService);
    const northwind = await createOrg(app, 'Northwind Traders');
    const globex = await createOrg(app, 'Globex');
    // A skewed load over both instances: user-1 of Northwind is the hottest key.
    const load = async (target: CacheService, org: string, rounds: number) => {
      for (let round = 0; round < rounds; round++) {
        for (const [id, times] of [['user-1', 6], ['user-2', 3], ['user-3', 1]] as const) {
          for (let i = 0; i < times; i++) await target.getOrSet(id, () => ({ id }), { org, namespace: 'fleet-users', ttlMs: 120_000 });
        }
        await target.getOrSet(`order-${round % 3}`, () => ({ round }), { org, namespace: 'fleet-orders', ttlMs: 120_000 });
      }
    };
    await load(cache, northwind.id, 8);
    await load(secondCache, northwind.id, 6);
    await load(secondCache, globex.id, 3);
    const expectedHits = cache.stats().namespaces['fleet-users'].hits + secondCache.stats().namespaces['fleet-users'].hits;

    const page = await signIn();
    expect(await page.locator('#scope').inputValue()).toBe('fleet');
    await page.locator('#instances tbody tr').nth(1).waitFor({ timeout: 10_000 });
    expect(await page.locator('#instances tbody tr').count()).toBe(2);
    expect(await page.locator('#scope-summary').textContent()).toBe('2 instances, summed');
    const selfRow = page.locator('#instances tr.self');
    expect(await selfRow.getAttribute('data-id')).toBe(app.get(CacheFleet).instanceId);

    // The namespace row sums both instances (the second's reach the page at its next report).
    const usersRow = page.locator('#namespaces tr[data-name="fleet-users"]');
    await usersRow.locator('td').nth(1).filter({ hasText: new RegExp(`^${expectedHits}$`) }).waitFor({ timeout: 10_000 });
    // Organization names beside their ids.
    const northwindRow = page.locator(`#orgs tr[data-name="${northwind.id}"]`);
    expect(await northwindRow.locator('strong').textContent()).toBe('Northwind Traders');
    expect(await northwindRow.locator('.sub').textContent()).toBe(northwind.id);
    expect(await page.locator(`#orgs tr[data-name="${globex.id}"] strong`).textContent()).toBe('Globex');
    // The hottest keys of the namespace, hottest first, with the organization's name.
    const hot = page.locator('#hot-keys tr[data-namespace="fleet-users"]');
    await hot.first().waitFor();
    expect(await hot.first().getAttribute('data-key')).toBe(`${northwind.id}:fleet-users:user-1`);
    expect(await hot.first().locator('td').nth(2).textContent()).toBe('Northwind Traders');

    // The time axis reads as a clock (14:05:30), never as fractions of a second (":28.500").
    await waitForChartPoints(page, 2);
    const ticks = ((await page.locator('#chart').getAttribute('data-x-ticks')) ?? '').split(' ');
    expect(ticks.length).toBeGreaterThan(1);
    for (const tick of ticks) expect(tick).toMatch(/^\d{2}:\d{2}:\d{2}$/);

    // This instance alone, then back to the fleet.
    await page.locator('#scope').selectOption('instance');
    await page.locator('#scope-summary').filter({ hasText: /^instance [0-9a-f]{8}$/ }).waitFor();
    expect(await page.locator('#instances tbody tr').count()).toBe(1);
    await page.locator('#scope').selectOption('fleet');
    await page.locator('#scope-summary').filter({ hasText: '2 instances, summed' }).waitFor();
    // Traffic on both instances while the page polls, so the chart has a fleet rate to draw.
    const deadline = Date.now() + 30_000;
    for (let round = 0; Number(await page.locator('#chart').getAttribute('data-points')) < 4; round++) {
      if (Date.now() > deadline) throw new Error('The chart has not reached 4 points in 30 s');
      await load(cache, northwind.id, 2);
      await load(secondCache, round % 2 === 0 ? globex.id : northwind.id, 1);
      await secondCache.getOrSet(`miss-${round}`, () => round, { org: globex.id, namespace: 'fleet-orders', ttlMs: 120_000 });
      await page.waitForTimeout(250);
    }

    // The README's screenshot: the fleet view in use, with a warm run's outcome.
    await page.getByRole('button', { name: 'Warm…' }).click();
    await answerConfirm(page, true);
    await page.locator('#warm-result').filter({ hasText: /^Ran \d+ job/ }).waitFor({ timeout: 20_000 });
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  }, 2 * BROWSER_TEST_MS);
});
