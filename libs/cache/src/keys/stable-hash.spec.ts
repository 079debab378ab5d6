import { stableHash, stableStringify } from './stable-hash';

describe(stableStringify.name, () => {
  const sut = stableStringify;

  it('ignores the order object keys were written in, at every depth', () => {
    expect(sut({ a: 1, b: { c: [1, { d: 2, e: 3 }], f: 'x' } })).toBe(sut({ b: { f: 'x', c: [1, { e: 3, d: 2 }] }, a: 1 }));
  });

  it('keeps array order', () => {
    expect(sut([1, 2])).not.toBe(sut([2, 1]));
  });

  it('writes Dates by their instant, apart from the same ISO string', () => {
    const iso = '2024-01-02T03:04:05.000Z';
    expect(sut(new Date(iso))).toBe(sut(new Date(Date.parse(iso))));
    expect(sut(new Date(iso))).not.toBe(sut(new Date(0)));
    expect(sut(new Date(iso))).not.toBe(sut(iso));
  });

  it('writes Maps whatever their insertion order, apart from objects and arrays', () => {
    const m1 = new Map<unknown, unknown>([['b', 2], [1, { x: 1, y: 2 }]]);
    const m2 = new Map<unknown, unknown>([[1, { y: 2, x: 1 }], ['b', 2]]);
    expect(sut(m1)).toBe(sut(m2));
    expect(sut(m1)).not.toBe(sut(new Map<unknown, unknown>([['b', 3], [1, { x: 1, y: 2 }]])));
    expect(sut(new Map([['a', 1]]))).not.toBe(sut({ a: 1 }));
    expect(sut(new Map([['a', 1]]))).not.toBe(sut([['a', 1]]));
  });

  it('writes Sets whatever their insertion order, apart from arrays', () => {
    expect(sut(new Set([3, 1, 2]))).toBe(sut(new Set([1, 2, 3])));
    expect(sut(new Set([1, 2]))).not.toBe(sut(new Set([1, 3])));
    expect(sut(new Set([1, 2]))).not.toBe(sut([1, 2]));
    expect(sut(new Set([1, 2]))).not.toBe(sut(['1', '2'])); // a Set is written through its members' stable forms
    expect(sut(new Set(['1']))).not.toBe(sut(new Set([1])));
  });

  it('writes bigints apart from numbers and strings', () => {
    expect(sut(10n)).toBe('10n');
    expect(sut(10n)).not.toBe(sut(10));
    expect(sut(10n)).not.toBe(sut('10n'));
  });

  it('treats an undefined property as absent, like JSON, but keeps undefined apart from null', () => {
    expect(sut({ a: 1, b: undefined })).toBe(sut({ a: 1 }));
    expect(sut(undefined)).not.toBe(sut(null));
    expect(sut([undefined])).not.toBe(sut([null]));
    expect(sut([undefined])).not.toBe(sut([]));
    expect(sut(undefined)).not.toBe(sut('undefined'));
  });

  it('keeps NaN and infinities apart from null and from each other', () => {
    const written = [null, NaN, Infinity, -Infinity, 0].map((v) => sut([v]));
    expect(new Set(written).size).toBe(written.length);
  });

  it('keeps strings apart from numbers and booleans', () => {
    const written = ['1', 1, true, 'true'].map((v) => sut(v));
    expect(new Set(written).size).toBe(written.length);
  });
});

describe(stableHash.name, () => {
  const sut = stableHash;

  it('is a 16-character URL-safe digest', () => {
    expect(sut([{ a: 1 }])).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('is the same whatever the object key order', () => {
    expect(sut([{ a: 1, b: [2, { c: 3, d: 4 }] }, 'x'])).toBe(sut([{ b: [2, { d: 4, c: 3 }], a: 1 }, 'x']));
  });

  it('differs for different arguments', () => {
    const args: unknown[][] = [
      [],
      [1],
      ['1'],
      [1, 2],
      [2, 1],
      [{ a: 1 }],
      [{ a: 2 }],
      [{ b: 1 }],
      [new Date(0)],
      [new Date(1)],
      [new Map([[1, 1]])],
      [new Set([1])],
      [1n],
      [undefined],
      [null],
      [NaN],
    ];
    const hashes = args.map((a) => sut(a));
    expect(new Set(hashes).size).toBe(args.length);
  });

  it('is deterministic across calls', () => {
    const make = () => [{ when: new Date(5), tags: new Set(['a', 'b']), n: 3n }];
    expect(sut(make())).toBe(sut(make()));
  });
});
