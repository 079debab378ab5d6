import { CacheContext } from './cache-context';

describe(CacheContext.name, () => {
  it('has no context outside run', () => {
    expect(CacheContext.current()).toBeUndefined();
    expect(CacheContext.org()).toBeUndefined();
  });

  it('carries the organization through awaits and timers', async () => {
    const seen = await CacheContext.run({ org: 'acme' }, async () => {
      await Promise.resolve();
      const late = await new Promise<string | undefined>((resolve) => setTimeout(() => resolve(CacheContext.org()), 1));
      return [CacheContext.org(), late];
    });
    expect(seen).toEqual(['acme', 'acme']);
  });

  it('keeps concurrent scopes apart', async () => {
    const read = (org: string, delayMs: number) =>
      CacheContext.run({ org }, async () => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return CacheContext.org();
      });
    await expect(Promise.all([read('a', 5), read('b', 1)])).resolves.toEqual(['a', 'b']);
  });

  it('lets a scope opened empty learn its organization later (a guard after a middleware)', async () => {
    const org = await CacheContext.run({}, async () => {
      await Promise.resolve();
      CacheContext.setOrg('late');
      await Promise.resolve();
      return CacheContext.org();
    });
    expect(org).toBe('late');
  });

  it('never changes the object given to run', () => {
    const state = { org: 'a' };
    CacheContext.run(state, () => CacheContext.setOrg('b'));
    expect(state.org).toBe('a');
  });

  it('refuses setOrg outside a scope', () => {
    expect(() => CacheContext.setOrg('x')).toThrow(/outside a scope/);
  });
});
