import { TopKeys } from './top-keys';

describe(TopKeys.name, () => {
  it('counts keys exactly while they fit', () => {
    const sut = new TopKeys(4);
    for (const key of ['a', 'b', 'a', 'c', 'a', 'b']) sut.offer(key);
    expect(sut.top(10)).toEqual([
      ['a', 3],
      ['b', 2],
      ['c', 1],
    ]);
  });

  it('keeps at most its capacity, and the heavy keys of a long tail survive', () => {
    const sut = new TopKeys(16);
    // Three hot keys among 5 000 keys read once each, interleaved.
    for (let i = 0; i < 5_000; i++) {
      sut.offer(`cold-${i}`);
      if (i % 4 === 0) sut.offer('hot-1');
      if (i % 5 === 0) sut.offer('hot-2');
      if (i % 10 === 0) sut.offer('hot-3');
    }
    expect(sut.size).toBe(16);
    expect(sut.top(3).map(([key]) => key)).toEqual(['hot-1', 'hot-2', 'hot-3']);
    // Every key read more than n / capacity times (7 750 / 16 ≈ 484) is kept; a kept key's count may
    // over-state its true count (here 1 250) by at most that much, never under-state it.
    const [, hot1] = sut.top(1)[0];
    expect(hot1).toBeGreaterThanOrEqual(1_250);
    expect(hot1).toBeLessThanOrEqual(1_250 + 7_750 / 16);
  });

  it('orders ties by key', () => {
    const sut = new TopKeys(4);
    for (const key of ['z', 'y', 'x']) sut.offer(key);
    expect(sut.top(2)).toEqual([
      ['x', 1],
      ['y', 1],
    ]);
  });
});
