import { CacheAdministrationService } from './cache-administration.service';
import type { CacheMaintenanceReport, TieredCacheStore } from './stores/tiered.store';

describe(CacheAdministrationService.name, () => {
  const figures = { keys: 12, usedMemoryBytes: 2_048, maxMemoryBytes: 0 };
  const withRemote = (serverInfo: () => Promise<typeof figures>, fallbackActive = false) =>
    new CacheAdministrationService({ remote: { serverInfo }, fallbackActive } as unknown as TieredCacheStore);

  it("reports the Redis server's figures while Redis serves", async () => {
    const sut = withRemote(async () => figures);

    expect(await sut.redisServerInfo()).toEqual(figures);
  });

  it('reports no figures on the in-process store alone', async () => {
    const sut = new CacheAdministrationService({ remote: undefined, fallbackActive: false } as unknown as TieredCacheStore);

    expect(await sut.redisServerInfo()).toBeNull();
  });

  it('does not ask Redis while the fallback serves', async () => {
    const serverInfo = jest.fn(async () => figures);
    const sut = withRemote(serverInfo, true);

    expect(await sut.redisServerInfo()).toBeNull();
    expect(serverInfo).not.toHaveBeenCalled();
  });

  it('reports no figures when INFO fails, instead of failing the caller', async () => {
    const sut = withRemote(async () => {
      throw new Error('Connection is closed.');
    });

    expect(await sut.redisServerInfo()).toBeNull();
  });

  it("hands on the store's maintenance report", async () => {
    const report: CacheMaintenanceReport = { store: 'fallback', expiredLocalEntries: 3, tagSetsScanned: 0, deadTagMembers: 0 };
    const sut = new CacheAdministrationService({ maintenance: async () => report } as unknown as TieredCacheStore);

    expect(await sut.maintenance()).toBe(report);
  });
});
