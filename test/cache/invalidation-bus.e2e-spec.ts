// The invalidation bus on a redis-server of this file's own (it kills pub/sub connections and
// rewrites the log, which would disturb other suites on the rig's shared server).
import { Redis } from 'ioredis';
import { InvalidationBus } from '../../libs/cache/src/invalidation/invalidation-bus';
import type { InvalidationTarget } from '../../libs/cache/src/stores/cache-store.interface';
import { uniquePrefix } from '../../libs/cache/src/testing/store-contract';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

const LEASE_MS = 600;
const SYNC_MS = 100;

interface Peer {
  sut: InvalidationBus;
  applied: InvalidationTarget[];
  dropped: string[];
  subscriber: Redis;
}

describe(InvalidationBus.name, () => {
  let server: RedisServerHandle;
  let admin: Redis;
  const clients: Redis[] = [];
  const buses: InvalidationBus[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });

  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  async function peer(prefix: string, id: string, logSize = 1_000): Promise<Peer> {
    const publisher = new Redis(server.url);
    const subscriber = new Redis(server.url, { autoResubscribe: false });
    clients.push(publisher, subscriber);
    const applied: InvalidationTarget[] = [];
    const dropped: string[] = [];
    const sut = new InvalidationBus(
      { publisher, subscriber, prefix, instanceId: id, leaseMs: LEASE_MS, syncIntervalMs: SYNC_MS, logSize, timeoutMs: 1_000 },
      { apply: (target) => applied.push(target), dropAll: (reason) => dropped.push(reason) },
    );
    buses.push(sut);
    await sut.start();
    return { sut, applied, dropped, subscriber };
  }

  /** Waits until each bus has heard every other (heartbeats ride the syncs) and knows it has. */
  async function acquainted(...peers: Peer[]): Promise<void> {
    await until(() => peers.every((p) => p.sut.peerCount === peers.length - 1 && p.sut.l1Trusted && p.sut.peersKnown));
  }

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.stop()));
    clients.splice(0).forEach((client) => client.disconnect());
  });

  it('delivers an invalidation to every peer and returns once each acknowledged it, well within the lease', async () => {
    const prefix = uniquePrefix();
    const [a, b, c] = [await peer(prefix, 'a'), await peer(prefix, 'b'), await peer(prefix, 'c')];
    await acquainted(a, b, c);
    const target: InvalidationTarget = { kind: 'tags', org: 'o1', tags: ['users'] };
    const started = Date.now();
    await a.sut.publish(target);
    expect(Date.now() - started).toBeLessThan(LEASE_MS / 2);
    // acknowledged means applied: no wait is needed before looking
    expect(b.applied).toEqual([target]);
    expect(c.applied).toEqual([target]);
  });

  it('after CLIENT KILL TYPE pubsub, the peer stops vouching for its L1 at once and applies what it missed from the log', async () => {
    const prefix = uniquePrefix();
    const a = await peer(prefix, 'a');
    const b = await peer(prefix, 'b');
    await acquainted(a, b);
    await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await until(() => !b.sut.l1Trusted);
    const target: InvalidationTarget = { kind: 'keys', keys: ['k1'] };
    const started = Date.now();
    await a.sut.publish(target);
    const waited = Date.now() - started;
    // Either b acknowledged after resubscribing, or a waited out b's lease; never a return while b could serve L1 unaware.
    expect(b.applied.length > 0 || waited >= LEASE_MS - 20).toBe(true);
    await until(() => b.applied.some((t) => JSON.stringify(t) === JSON.stringify(target)) && b.sut.l1Trusted);
  });

  it('catches up from the log on a message lost while the connection stayed up, and a publisher that got no ack waits out the lease', async () => {
    const prefix = uniquePrefix();
    const a = await peer(prefix, 'a');
    const b = await peer(prefix, 'b');
    await acquainted(a, b);
    // b stops hearing the channel without its connection closing: a message lost in transit, as b sees it.
    await b.subscriber.unsubscribe(`${prefix}:__bus`);
    const target: InvalidationTarget = { kind: 'org', org: 'o9' };
    const started = Date.now();
    await a.sut.publish(target);
    expect(Date.now() - started).toBeGreaterThanOrEqual(LEASE_MS - 20);
    // By the time the publisher returned, b has applied it from the log (its sync runs every SYNC_MS).
    expect(b.applied).toEqual([target]);
    expect(b.dropped).toEqual([]);
  });

  it('drops the whole in-process tier when Redis lost the log (a restart or a failover that lost writes)', async () => {
    const prefix = uniquePrefix();
    const a = await peer(prefix, 'a');
    const b = await peer(prefix, 'b');
    await acquainted(a, b);
    await a.sut.publish({ kind: 'keys', keys: ['k1'] });
    await a.sut.publish({ kind: 'keys', keys: ['k2'] });
    await admin.del(`${prefix}:{__bus}:__seq`, `${prefix}:{__bus}:__log`);
    await b.sut.syncNow();
    expect(b.dropped).toHaveLength(1);
    expect(b.dropped[0]).toMatch(/lost the invalidation log/);
  });

  it('drops the whole in-process tier when the history it applied was rewritten under the same sequence number', async () => {
    const prefix = uniquePrefix();
    const a = await peer(prefix, 'a');
    const b = await peer(prefix, 'b');
    await acquainted(a, b);
    await a.sut.publish({ kind: 'keys', keys: ['k1'] });
    // A failover to a replica that missed the last entry, followed by another instance's write: same number, other entry.
    const seq = Number(await admin.get(`${prefix}:{__bus}:__seq`));
    await admin.zremrangebyscore(`${prefix}:{__bus}:__log`, seq, seq);
    await admin.zadd(`${prefix}:{__bus}:__log`, seq, `${seq}|${JSON.stringify({ o: 'z', i: 1, t: { kind: 'keys', keys: ['other'] } })}`);
    await b.sut.syncNow();
    expect(b.dropped).toEqual([expect.stringMatching(/history changed/)]);
  });

  it('drops the whole in-process tier when it missed more than the log still holds', async () => {
    const prefix = uniquePrefix();
    const a = await peer(prefix, 'a', 100);
    const b = await peer(prefix, 'b', 100);
    await acquainted(a, b);
    await b.subscriber.unsubscribe(`${prefix}:__bus`);
    await b.sut.stop(); // no syncs while the log moves on
    for (let i = 0; i < 150; i++) await admin.eval(`return redis.call('INCR', KEYS[1])`, 1, `${prefix}:{__bus}:__seq`);
    await admin.zremrangebyscore(`${prefix}:{__bus}:__log`, '-inf', '+inf');
    await b.sut.syncNow();
    expect(b.dropped).toEqual([expect.stringMatching(/more than the log still holds/)]);
  });

  it('knows every live peer from its first sync (Redis lists who synced), so a publish right after start waits for their acks only', async () => {
    const prefix = uniquePrefix();
    const a = await peer(prefix, 'a');
    const b = await peer(prefix, 'b'); // b has not heard a's heartbeat through pub/sub yet, but its first sync listed a
    expect(b.sut.peerCount).toBe(1);
    const started = Date.now();
    await b.sut.publish({ kind: 'keys', keys: ['k'] });
    expect(Date.now() - started).toBeLessThan(LEASE_MS / 2);
    expect(a.applied).toEqual([{ kind: 'keys', keys: ['k'] }]);
  });

  it('waits out the lease while its own subscription is not proven to deliver', async () => {
    const prefix = uniquePrefix();
    const a = await peer(prefix, 'a');
    await acquainted(a);
    await a.subscriber.unsubscribe(); // its own heartbeats stop coming back
    await until(() => !a.sut.peersKnown, 3_000);
    const started = Date.now();
    await a.sut.publish({ kind: 'keys', keys: ['k'] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(LEASE_MS - 20);
  });

  it('raises the epoch for every instance and never lowers it', async () => {
    const prefix = uniquePrefix();
    const a = await peer(prefix, 'a');
    const b = await peer(prefix, 'b');
    await acquainted(a, b);
    const before = Date.now();
    const epoch = await a.sut.raiseEpoch();
    expect(epoch).toBeGreaterThanOrEqual(before);
    expect(b.sut.epoch).toBe(epoch); // the publish returned after b acknowledged it
    expect(b.dropped.length).toBeGreaterThan(0);
    await admin.set(`${prefix}:{__bus}:__epoch`, String(epoch + 60_000));
    expect(await a.sut.raiseEpoch()).toBe(epoch + 60_000);
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
