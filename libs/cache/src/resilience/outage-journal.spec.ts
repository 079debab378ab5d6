import type { InvalidationTarget } from '../stores/cache-store.interface';
import { OutageJournal } from './outage-journal';

const key = (k: string): InvalidationTarget => ({ kind: 'keys', keys: [k] });

/** An `apply` that records what it was given and can be told to fail on a given call. */
function fakeApply(failOn: number[] = []) {
  const applied: InvalidationTarget[] = [];
  let calls = 0;
  const apply = async (target: InvalidationTarget) => {
    calls += 1;
    if (failOn.includes(calls)) throw new Error(`Redis down again (call ${calls})`);
    applied.push(target);
  };
  return { apply, applied };
}

describe(OutageJournal.name, () => {
  it('records invalidations in order and replays them in that order', async () => {
    const sut = new OutageJournal(10);
    const targets: InvalidationTarget[] = [
      key('a'),
      { kind: 'tags', org: 'o1', tags: ['t'] },
      { kind: 'pattern', pattern: 'app:{o1}:users:*' },
      { kind: 'org', org: 'o2' },
    ];
    for (const target of targets) sut.record(target);
    expect(sut.size).toBe(4);
    const { apply, applied } = fakeApply();
    await sut.replay(apply);
    expect(applied).toEqual(targets);
    expect(sut.size).toBe(0);
  });

  it('replays nothing twice', async () => {
    const sut = new OutageJournal(10);
    sut.record(key('a'));
    const { apply, applied } = fakeApply();
    await sut.replay(apply);
    await sut.replay(apply);
    expect(applied).toEqual([key('a')]);
  });

  it('keeps the unapplied tail when a step throws, and a later replay finishes it', async () => {
    const sut = new OutageJournal(10);
    for (const k of ['a', 'b', 'c', 'd']) sut.record(key(k));
    const { apply, applied } = fakeApply([3]);
    await expect(sut.replay(apply)).rejects.toThrow('Redis down again (call 3)');
    expect(applied).toEqual([key('a'), key('b')]);
    expect(sut.size).toBe(2);
    await sut.replay(apply);
    expect(applied).toEqual([key('a'), key('b'), key('c'), key('d')]);
    expect(sut.size).toBe(0);
  });

  it('replays what is recorded while it replays', async () => {
    const sut = new OutageJournal(10);
    sut.record(key('a'));
    const applied: InvalidationTarget[] = [];
    await sut.replay(async (target) => {
      applied.push(target);
      if (applied.length === 1) sut.record(key('late'));
    });
    expect(applied).toEqual([key('a'), key('late')]);
    expect(sut.size).toBe(0);
  });

  describe('overflow', () => {
    it('holds up to its capacity', async () => {
      const sut = new OutageJournal(3);
      for (const k of ['a', 'b', 'c']) sut.record(key(k));
      const { apply, applied } = fakeApply();
      await sut.replay(apply);
      expect(applied).toEqual([key('a'), key('b'), key('c')]);
    });

    it('past its capacity replays a single full flush instead', async () => {
      const sut = new OutageJournal(3);
      for (const k of ['a', 'b', 'c', 'd', 'e']) sut.record(key(k));
      expect(sut.size).toBeGreaterThan(0);
      const { apply, applied } = fakeApply();
      await sut.replay(apply);
      expect(applied).toEqual([{ kind: 'all' }]);
      expect(sut.size).toBe(0);
      sut.record(key('after'));
      await sut.replay(apply);
      expect(applied).toEqual([{ kind: 'all' }, key('after')]);
    });

    it('keeps the flush owed when it fails', async () => {
      const sut = new OutageJournal(1);
      sut.record(key('a'));
      sut.record(key('b'));
      const { apply, applied } = fakeApply([1]);
      await expect(sut.replay(apply)).rejects.toThrow('Redis down again');
      expect(sut.size).toBeGreaterThan(0);
      await sut.replay(apply);
      expect(applied).toEqual([{ kind: 'all' }]);
    });

    it('counts an owed flush in size, so recovery does not close the circuit over it', () => {
      const sut = new OutageJournal(0);
      sut.record(key('a'));
      expect(sut.size).toBe(1);
    });

    it('still ends with a full flush when it overflows during a replay', async () => {
      const sut = new OutageJournal(2);
      sut.record(key('a'));
      const applied: InvalidationTarget[] = [];
      await sut.replay(async (target) => {
        applied.push(target);
        // While the first step is awaited, more writes happen than the journal holds.
        if (applied.length === 1) for (const k of ['x', 'y', 'z']) sut.record(key(k));
      });
      expect(applied).toEqual([key('a'), { kind: 'all' }]);
      expect(sut.size).toBe(0);
    });

    it('replays what is recorded while the full flush runs', async () => {
      const sut = new OutageJournal(1);
      sut.record(key('a'));
      sut.record(key('b'));
      const applied: InvalidationTarget[] = [];
      await sut.replay(async (target) => {
        applied.push(target);
        if (target.kind === 'all') sut.record(key('during-flush'));
      });
      expect(applied).toEqual([{ kind: 'all' }, key('during-flush')]);
    });
  });
});
