// The write a Sentinel failover loses. `SENTINEL FAILOVER` promotes the replica first and tells
// clients (`+switch-master`) up to a second later; meanwhile the old primary is still a writable
// master, and what it takes is dropped when it resyncs from the new one. An invalidation made
// there is lost while the entry it deleted lives on in the new primary (it was replicated
// before). With no traffic failing at the switch, nothing else tells the instances that Redis
// lost writes: they must treat the change of primary itself as an outage, and afterwards serve
// nothing older than the database.
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { OPERATOR_TOKEN, bearer, createHarness, type Harness } from '../api-harness';
import { databaseNames, ITEM_IDS, staleReads, waitUntilFollowing } from '../support/failover-traffic';
import { command, infoField, startSentinelGroup, waitFor, type SentinelGroup } from '../support/redis-ha';


describe('a write between the promotion and the switch (Sentinel), with no traffic failing', () => {
  let group: SentinelGroup;
  let harness: Harness | undefined;
  let a: NestExpressApplication;
  let b: NestExpressApplication;

  beforeAll(async () => {
    group = await startSentinelGroup({ replicas: 1, sentinels: 3 });
    harness = await createHarness({
      env: {
        REDIS_SENTINELS: group.sentinelAddresses.map((s) => `${s.host}:${s.port}`).join(','),
        REDIS_SENTINEL_NAME: group.name,
      },
    });
    a = await harness.start();
    b = await harness.start();
  });

  afterAll(async () => {
    await harness?.close();
    await Promise.all([...(group?.sentinels ?? []), ...(group?.servers ?? [])].map((server) => server.kill()));
  });

  it('serves the database value, not the entry the lost invalidation had deleted', async () => {
    const [oldPrimary, replica] = group.servers;
    for (const id of ITEM_IDS) {
      await request(a.getHttpServer()).put(`/demo/items/${id}`).set(...bearer(OPERATOR_TOKEN)).send({ name: `before-${id}` }).expect(200);
      await request(a.getHttpServer()).get(`/demo/items/${id}`).expect(200);
      await request(b.getHttpServer()).get(`/demo/items/${id}`).expect(200);
    }
    // The entries are on the replica too, so the new primary will hold them.
    await waitFor('the replica to catch up', async () =>
      (await command(replica.port, 'DBSIZE')) === (await command(oldPrimary.port, 'DBSIZE')) ? true : undefined,
    );

    expect(await command(group.sentinels[0].port, 'SENTINEL', 'FAILOVER', group.name)).toBe('OK');
    await waitFor('the replica to be promoted', async () => ((await infoField(replica.port, 'replication', 'role')) === 'master' ? true : undefined), 20_000, 5);
    // Rename a few items at once: written to the old primary after the promotion, so lost.
    const inWindow = ITEM_IDS.slice(0, 4);
    for (const id of inWindow) {
      await request(a.getHttpServer()).put(`/demo/items/${id}`).set(...bearer(OPERATOR_TOKEN)).send({ name: `window-${id}` }).expect(200);
    }
    // The window was hit: the sentinels had not announced the new primary yet.
    expect(await group.reportedMasters()).toEqual(group.sentinels.map(() => oldPrimary.port));
    // No request until both instances are connected to the new primary (3 connections each), so
    // none fails at the switch and trips a circuit breaker.
    const newPrimary = await group.waitForNewMaster(oldPrimary.port);
    expect(newPrimary).toBe(replica.port);
    await waitFor('both instances to connect to the new primary', async () => {
      const clients = String(await command(newPrimary, 'CLIENT', 'LIST')).split('\n');
      return clients.filter((line) => /\bcmd=(?!client|replconf|info|ping|role)/.test(line)).length >= 6 ? true : undefined;
    });
    const database = await databaseNames(a, inWindow);
    expect(inWindow.map((id) => database.get(id))).toEqual(inWindow.map((id) => `window-${id}`));
    expect(await staleReads(a, b, ITEM_IDS)).toEqual([]);
    let probe = 10_000;
    await Promise.all([waitUntilFollowing(a, newPrimary, () => (probe += 1)), waitUntilFollowing(b, newPrimary, () => (probe += 1) + 100_000)]);
  }, 60_000);
});
