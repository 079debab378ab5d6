import { Redis } from 'ioredis';
import { InvalidationBus } from '../../libs/cache/src/invalidation/invalidation-bus';
import type { InvalidationTarget } from '../../libs/cache/src/stores/cache-store.interface';
import { uniquePrefix } from '../../libs/cache/src/testing/store-contract';
import { redisUrl } from '../support/env';

describe(InvalidationBus.name, () => {
  const clients: Redis[] = [];
  const buses: InvalidationBus[] = [];

  function bus(prefix: string, id: string, received: InvalidationTarget[], ackTimeoutMs = 300): InvalidationBus {
    const publisher = new Redis(redisUrl());
    const subscriber = new Redis(redisUrl());
    clients.push(publisher, subscriber);
    const sut = new InvalidationBus(publisher, subscriber, prefix, id, ackTimeoutMs, (target) => received.push(target));
    buses.push(sut);
    return sut;
  }

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.stop()));
    clients.splice(0).forEach((client) => client.disconnect());
  });

  it('delivers an invalidation to every peer and returns once each acknowledged it', async () => {
    const prefix = uniquePrefix();
    const seenByB: InvalidationTarget[] = [];
    const seenByC: InvalidationTarget[] = [];
    const a = bus(prefix, 'a', []);
    await a.start();
    await bus(prefix, 'b', seenByB).start();
    await bus(prefix, 'c', seenByC).start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.peerCount).toBe(2);
    const target: InvalidationTarget = { kind: 'tags', org: 'o1', tags: ['users'] };
    await a.publish(target);
    // acknowledged means applied: no wait is needed before looking
    expect(seenByB).toEqual([target]);
    expect(seenByC).toEqual([target]);
  });

  it('waits for a silent peer once, then not again until it speaks', async () => {
    const prefix = uniquePrefix();
    const a = bus(prefix, 'a', [], 300);
    await a.start();
    const b = bus(prefix, 'b', []);
    await b.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(a.peerCount).toBe(1);
    await clients[3].quit(); // b's subscriber is gone (the server closed it) and b cannot answer
    let started = Date.now();
    await a.publish({ kind: 'keys', keys: ['k'] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(a.peerCount).toBe(0);
    started = Date.now();
    await a.publish({ kind: 'keys', keys: ['k'] });
    expect(Date.now() - started).toBeLessThan(290);
  });
});
