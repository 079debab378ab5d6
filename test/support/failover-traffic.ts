// Traffic for failover suites: two API instances serving the demo items (cache-aside over
// Postgres, tag invalidation on write) while a Redis primary goes away. Writes go through
// instance A, reads through both; every request is timed, and its failure (non-2xx, a network
// error or no answer within the timeout) recorded. Afterwards `checkAgainstDatabase` compares
// what each instance serves with the database, and `checkReadYourWrites` proves a write on A is
// seen by B even where B had the old value in its in-process tier.
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CACHE_TIERED_STORE } from '../../libs/cache/src/cache.constants';
import type { TieredCacheStore } from '../../libs/cache/src/stores/tiered.store';
import { OPERATOR_TOKEN, bearer, createHarness, type Harness } from '../api-harness';
import { command, waitFor } from './redis-ha';

/** Demo writes take the operator token. */
const OPERATOR = bearer(OPERATOR_TOKEN);

/** No request may take longer than this; past it it counts as hung (a failure). */
export const REQUEST_TIMEOUT_MS = 15_000;

/** The demo items the failover suites write and read. */
export const ITEM_IDS = Array.from({ length: 12 }, (_, i) => i + 1);
/**
 * Closer to production (50 ms) than the harness' 1 s: a request's Redis calls to a dead server
 * wait this long each before the request falls back.
 */
export const COMMAND_TIMEOUT_MS = 250;

/** Two API instances on one Redis topology, and the traffic between them. */
export interface FailoverPair {
  harness: Harness;
  a: NestExpressApplication;
  b: NestExpressApplication;
  traffic: DemoTraffic;
}

/** Starts two instances with `redisEnv` (how to reach the topology) and seeds the demo items through them. */
export async function startFailoverPair(redisEnv: Record<string, string>): Promise<FailoverPair> {
  const harness = await createHarness({
    // The traffic is anonymous and fast; the limiter's counters still go through Redis.
    env: { ...redisEnv, RATE_LIMIT_ANONYMOUS_LIMIT: '1000000', REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) },
  });
  const a = await harness.start();
  const b = await harness.start();
  const traffic = new DemoTraffic(a, b, ITEM_IDS);
  await traffic.seed();
  return { harness, a, b, traffic };
}

/** Stops the traffic and closes both instances (and the harness' database). */
export async function stopFailoverPair(pair: FailoverPair | undefined): Promise<void> {
  await pair?.traffic.stop();
  await pair?.harness.close();
}

export interface RequestRecord {
  instance: 'A' | 'B';
  method: 'GET' | 'PUT';
  id: number;
  startedAt: number;
  ms: number;
  status: number | string;
}

export interface TrafficReport {
  requests: number;
  failures: RequestRecord[];
  maxMs: number;
  p99Ms: number;
  /** The slowest requests that started within [from, to], for the report. */
  slowest: RequestRecord[];
  /** When each instance's circuit was open (served from its in-process tier), ms since `from`. */
  fallback: Record<'A' | 'B', [number, number][]>;
}

interface DemoRead {
  item: { id: number; name: string };
  source: 'database' | 'cache';
}

async function timed(
  log: RequestRecord[],
  instance: 'A' | 'B',
  app: NestExpressApplication,
  method: 'GET' | 'PUT',
  id: number,
  name?: string,
): Promise<DemoRead | undefined> {
  const startedAt = Date.now();
  const record: RequestRecord = { instance, method, id, startedAt, ms: 0, status: 0 };
  try {
    const agent = request(app.getHttpServer());
    const call = method === 'GET' ? agent.get(`/demo/items/${id}`) : agent.put(`/demo/items/${id}`).set(...OPERATOR).send({ name });
    const response = await call.timeout({ response: REQUEST_TIMEOUT_MS, deadline: REQUEST_TIMEOUT_MS });
    record.status = response.status;
    return response.status === 200 ? (response.body as DemoRead) : undefined;
  } catch (error) {
    record.status = error instanceof Error ? error.message : String(error);
    return undefined;
  } finally {
    record.ms = Date.now() - startedAt;
    log.push(record);
  }
}

export class DemoTraffic {
  readonly log: RequestRecord[] = [];
  private running = false;
  private writing = false;
  private workers: Promise<void>[] = [];
  private counter = 0;
  private readonly fallback: Record<'A' | 'B', [number, number][]> = { A: [], B: [] };
  private watcher: NodeJS.Timeout | undefined;

  constructor(
    readonly a: NestExpressApplication,
    readonly b: NestExpressApplication,
    /** Item ids the traffic reads and writes. */
    readonly ids: readonly number[],
  ) {}

  /** Creates the items (through A) and reads each through both instances, so both caches hold them. */
  async seed(): Promise<void> {
    for (const id of this.ids) {
      const saved = await request(this.a.getHttpServer()).put(`/demo/items/${id}`).set(...OPERATOR).send({ name: `seed-${id}` });
      if (saved.status !== 200) throw new Error(`seeding item ${id}: ${saved.status} ${JSON.stringify(saved.body)}`);
      for (const app of [this.a, this.b]) await request(app.getHttpServer()).get(`/demo/items/${id}`).expect(200);
    }
  }

  /**
   * Starts `writers` loops, each owning its share of the items (one writer per item, so the
   * database's value of an item is the last one written): write through A, read through B and
   * A; and `readers` loops reading random items through either instance.
   */
  start(writers = 2, readers = 2): void {
    this.running = true;
    this.writing = true;
    for (let w = 0; w < writers; w++) {
      const own = this.ids.filter((_, i) => i % writers === w);
      this.workers.push(this.writer(own));
    }
    for (let r = 0; r < readers; r++) this.workers.push(this.reader());
    // For the report only: when each instance's circuit breaker had it on its in-process tier.
    const stores = { A: this.a.get<TieredCacheStore>(CACHE_TIERED_STORE), B: this.b.get<TieredCacheStore>(CACHE_TIERED_STORE) };
    this.watcher = setInterval(() => {
      for (const label of ['A', 'B'] as const) {
        const windows = this.fallback[label];
        const open = windows.length > 0 && windows[windows.length - 1][1] === 0;
        if (stores[label].fallbackActive && !open) windows.push([Date.now(), 0]);
        else if (!stores[label].fallbackActive && open) windows[windows.length - 1][1] = Date.now();
      }
    }, 20);
  }

  /**
   * From now on the writers only read. Each item's last write was then made just before: with
   * the writes stopped when the new primary is elected, the last ones are those a failover may
   * have lost, and no later write repairs what they left.
   */
  stopWrites(): void {
    this.writing = false;
  }

  async stop(): Promise<TrafficReport> {
    this.running = false;
    clearInterval(this.watcher);
    await Promise.all(this.workers);
    this.workers = [];
    return this.report();
  }

  report(from = 0, to = Number.POSITIVE_INFINITY): TrafficReport {
    const within = this.log.filter((r) => r.startedAt >= from && r.startedAt <= to);
    const sorted = [...within].sort((x, y) => y.ms - x.ms);
    const relative = (windows: [number, number][]): [number, number][] =>
      windows.map(([opened, closed]) => [opened - from, closed === 0 ? -1 : closed - from]);
    return {
      requests: within.length,
      failures: within.filter((r) => r.status !== 200),
      maxMs: sorted[0]?.ms ?? 0,
      p99Ms: sorted[Math.floor(sorted.length / 100)]?.ms ?? 0,
      slowest: sorted.slice(0, 5),
      fallback: { A: relative(this.fallback.A), B: relative(this.fallback.B) },
    };
  }

  private async writer(own: readonly number[]): Promise<void> {
    while (this.running) {
      for (const id of own) {
        if (!this.running) return;
        if (this.writing) await timed(this.log, 'A', this.a, 'PUT', id, `t${++this.counter}`);
        await timed(this.log, 'B', this.b, 'GET', id);
        await timed(this.log, 'A', this.a, 'GET', id);
      }
    }
  }

  private async reader(): Promise<void> {
    while (this.running) {
      const id = this.ids[Math.floor(Math.random() * this.ids.length)];
      const [instance, app] = Math.random() < 0.5 ? (['A', this.a] as const) : (['B', this.b] as const);
      await timed(this.log, instance, app, 'GET', id);
    }
  }
}

/** The items' names in the database. */
export async function databaseNames(app: NestExpressApplication, ids: readonly number[]): Promise<Map<number, string>> {
  const rows: { id: number; name: string }[] = await app.get(DataSource).query('SELECT id, name FROM demo_items WHERE id = ANY($1)', [ids]);
  return new Map(rows.map((row) => [Number(row.id), row.name]));
}

/** Each item as A and B serve it, where it differs from the database (empty: nothing stale). */
export async function staleReads(a: NestExpressApplication, b: NestExpressApplication, ids: readonly number[]): Promise<string[]> {
  const database = await databaseNames(a, ids);
  const stale: string[] = [];
  for (const id of ids) {
    for (const [label, app] of [['A', a], ['B', b]] as const) {
      // Twice: the first read may load; the second is served by the cache tiers.
      for (const attempt of [1, 2]) {
        const response = await request(app.getHttpServer()).get(`/demo/items/${id}`);
        const name = (response.body as DemoRead | undefined)?.item?.name;
        if (response.status !== 200 || name !== database.get(id)) {
          stale.push(`item ${id} via ${label} (read ${attempt}): ${response.status} ${String(name)}, database has ${database.get(id)}`);
        }
      }
    }
  }
  return stale;
}

/**
 * For each item: B reads it (so B's in-process tier may hold it), A renames it, B reads again and
 * must see the new name, which must be the database's. Returns the mismatches.
 */
export async function readYourWrites(a: NestExpressApplication, b: NestExpressApplication, ids: readonly number[], tag: string): Promise<string[]> {
  const wrong: string[] = [];
  for (const id of ids) {
    await request(b.getHttpServer()).get(`/demo/items/${id}`).expect(200);
    const name = `${tag}-${id}`;
    await request(a.getHttpServer()).put(`/demo/items/${id}`).set(...OPERATOR).send({ name }).expect(200);
    const seen = (await request(b.getHttpServer()).get(`/demo/items/${id}`)).body as DemoRead;
    const database = (await databaseNames(a, [id])).get(id);
    if (seen?.item?.name !== name || database !== name) {
      wrong.push(`item ${id}: B read ${seen?.item?.name} (${seen?.source}), wrote ${name}, database ${database}`);
    }
  }
  return wrong;
}

/** The key of this run's demo entry of item `id` on the server at `port`, if it holds one. */
export async function demoEntryOn(port: number, id: number): Promise<string | undefined> {
  let cursor = '0';
  do {
    const [next, keys] = (await command(port, 'SCAN', cursor, 'MATCH', `*:demo:item:${id}`, 'COUNT', 1000)) as [string, string[]];
    if (keys.length > 0) return keys[0];
    cursor = next;
  } while (cursor !== '0');
  return undefined;
}

/**
 * Waits until `app` stores what it loads on the server at `port`: it reads fresh items (ids from
 * `nextId`, never cached) until one read that loads leaves its entry there. Returns when.
 */
export async function waitUntilFollowing(app: NestExpressApplication, port: number, nextId: () => number, timeoutMs = 30_000): Promise<number> {
  return waitFor(
    `the instance to cache on the server at ${port}`,
    async () => {
      const id = nextId();
      const saved = await request(app.getHttpServer()).put(`/demo/items/${id}`).set(...OPERATOR).send({ name: `probe-${id}` });
      if (saved.status !== 200) return undefined;
      const read = await request(app.getHttpServer()).get(`/demo/items/${id}`);
      if (read.status !== 200) return undefined;
      return (await demoEntryOn(port, id)) !== undefined ? Date.now() : undefined;
    },
    timeoutMs,
    100,
  );
}

export interface FailoverOutcome {
  /** ms from the trigger until the topology agreed on the new primary. */
  electedMs: number;
  /** ms from the trigger until each instance stored on the new primary. */
  followedMs: { A: number; B: number };
  /** ms from the election until both followed. */
  followAfterElectionMs: number;
  report: TrafficReport;
  during: TrafficReport;
  stale: string[];
  missedWrites: string[];
}

/**
 * Runs `traffic`, fails the primary over with `trigger` once traffic flows, waits for the new
 * primary (`elected` resolves its port), stops writing, waits until both instances store on it,
 * lets the traffic run on past that, stops it, and checks reads against the database.
 */
export async function failOverUnderTraffic(options: {
  label: string;
  traffic: DemoTraffic;
  trigger: () => Promise<void>;
  elected: () => Promise<number>;
}): Promise<FailoverOutcome> {
  const { traffic, label } = options;
  const { a, b, ids } = traffic;
  traffic.start();
  await waitFor('traffic before the failover', async () => (traffic.log.length >= 60 ? true : undefined));

  const startedAt = Date.now();
  await options.trigger();
  const newPort = await options.elected();
  const electedAt = Date.now();
  traffic.stopWrites();

  let probe = 10_000;
  const [followedA, followedB] = await Promise.all([
    waitUntilFollowing(a, newPort, () => (probe += 1)),
    waitUntilFollowing(b, newPort, () => (probe += 1) + 100_000),
  ]);
  const followed = Math.max(followedA, followedB);
  // Keep the traffic going a little past the switch, then stop it.
  await waitFor('traffic after the switch', async () => (traffic.log.filter((r) => r.startedAt > followed).length >= 60 ? true : undefined));
  await traffic.stop();
  const outcome: FailoverOutcome = {
    electedMs: electedAt - startedAt,
    followedMs: { A: followedA - startedAt, B: followedB - startedAt },
    followAfterElectionMs: followed - electedAt,
    report: traffic.report(),
    during: traffic.report(startedAt, followed),
    // Nothing either instance serves differs from the database: also items whose invalidation
    // the failover may have lost.
    stale: await staleReads(a, b, ids),
    // And a write through A is read through B, which held the old value.
    missedWrites: await readYourWrites(a, b, ids, 'after'),
  };
  console.log(
    `${label}: new primary elected after ${outcome.electedMs} ms; A followed after ${outcome.followedMs.A} ms, B after ${outcome.followedMs.B} ms; ` +
      `${outcome.report.requests} requests, ${outcome.during.requests} during the failover, max ${outcome.report.maxMs} ms (p99 ${outcome.report.p99Ms} ms); ` +
      `fallback windows (ms from the trigger) ${JSON.stringify(outcome.during.fallback)}; slowest ${JSON.stringify(outcome.report.slowest.slice(0, 3))}`,
  );
  return outcome;
}
