import { deflateRawSync } from 'node:zlib';
import type { CacheEntry } from './cache-entry';
import { CacheSerializer, CorruptEntryError, isCounterValue } from './cache-serializer';

function entry<T>(value: T, tags: string[] = []): CacheEntry<T> {
  return { value, createdAt: 1_000, expiresAt: 2_000, staleUntil: 3_000, tags };
}

/** A value that deflate shrinks a lot: repetitive JSON. */
function bigValue(): { rows: { id: number; name: string }[] } {
  return { rows: Array.from({ length: 200 }, (_, id) => ({ id, name: 'the same name every time' })) };
}

describe(CacheSerializer.name, () => {
  describe('round trip', () => {
    const sut = new CacheSerializer(0);

    it.each<[string, unknown]>([
      ['an object', { a: 1, b: 'two', c: [true, false], d: { e: null } }],
      ['an array', [1, 'x', { y: 2 }, []]],
      ['null', null],
      ['a string', 'héllo ✓'],
      ['a number', 42.5],
      ['an empty object', {}],
      ['an HTTP answer (flat: encoded without the Date replacer)', { json: '{"a":"\\"q\\""}', etag: '"x"' }],
      ['an array of Dates (not flat)', [new Date(5), new Date(6)]],
    ])('keeps %s', (_name, value) => {
      const decoded = sut.decode(sut.encode(entry(value, ['t1', 't2'])).bytes);
      expect(decoded).toEqual(entry(value, ['t1', 't2']));
    });

    it('brings nested Dates back as Date instances', () => {
      const value = { at: new Date('2024-05-06T07:08:09.010Z'), list: [new Date(0), { deep: new Date(1) }] };
      const decoded = sut.decode<typeof value>(sut.encode(entry(value)).bytes);
      expect(decoded.value.at).toBeInstanceOf(Date);
      expect(decoded.value.list[0]).toBeInstanceOf(Date);
      expect(decoded.value).toEqual(value);
    });

    it('keeps a record without a prototype, and a Date inside one', () => {
      const flat = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: 'x' });
      expect(sut.decode(sut.encode(entry(flat)).bytes).value).toEqual({ a: 1, b: 'x' });
      const dated = Object.assign(Object.create(null) as Record<string, unknown>, { at: new Date(7) });
      expect((sut.decode(sut.encode(entry(dated)).bytes).value as { at: unknown }).at).toEqual(new Date(7));
    });

    it('brings a top-level Date back', () => {
      const decoded = sut.decode(sut.encode(entry(new Date(123))).bytes);
      expect(decoded.value).toEqual(new Date(123));
    });

    it("does not turn a user object with an '@@date' key among others into a Date", () => {
      const value = { '@@date': '2024-01-01T00:00:00.000Z', other: 1 };
      const decoded = sut.decode(sut.encode(entry(value)).bytes);
      expect(decoded.value).toEqual(value);
      expect(decoded.value).not.toBeInstanceOf(Date);
    });

    it("says in the envelope's last field whether its value holds Dates", () => {
      const json = (value: unknown): Record<string, unknown> => JSON.parse(sut.encode(entry(value)).bytes.toString('utf8', 1)) as Record<string, unknown>;
      expect(json({ at: new Date(1), list: [{ n: 1 }] }).x).toBe(1);
      expect(json({ list: [{ n: 1 }], at: '2024-01-01' }).x).toBe(0);
      expect(json({ flat: 1 }).x).toBe(0);
      expect(Object.keys(json({ nested: { a: new Date(2) } })).pop()).toBe('x');
    });

    it("leaves a user's own 'x' (and an object shaped like an envelope) alone", () => {
      const value = { c: 1, e: 2, s: 3, t: [], v: { x: 'mine', at: new Date(4) }, x: 'also mine' };
      const decoded = sut.decode<typeof value>(sut.encode(entry(value)).bytes);
      expect(decoded.value).toEqual(value);
      expect(decoded.value.v.at).toBeInstanceOf(Date);
    });

    it("keeps a user object shaped like a date mark as it is when the value held no Date", () => {
      const value = { at: { '@@date': '2024-01-01T00:00:00.000Z' }, n: [1] };
      const decoded = sut.decode<typeof value>(sut.encode(entry(value)).bytes);
      expect(decoded.value).toEqual(value);
      expect(decoded.value.at).not.toBeInstanceOf(Date);
    });

    it('reads the Dates of an entry written before the envelope said whether it had any (no x)', () => {
      const legacy = '{"c":1000,"e":2000,"s":3000,"t":[],"v":{"at":{"@@date":"2024-05-06T07:08:09.010Z"},"n":1},"d":4}';
      const decoded = sut.decode<{ at: Date; n: number }>(Buffer.from(`j${legacy}`, 'utf8'));
      expect(decoded.value.at).toEqual(new Date('2024-05-06T07:08:09.010Z'));
      expect(decoded.loadMs).toBe(4);
      const deflated = Buffer.concat([Buffer.from('z'), deflateRawSync(Buffer.from(legacy, 'utf8'))]);
      expect(sut.decode<{ at: Date }>(deflated).value.at).toBeInstanceOf(Date);
    });

    it('keeps the load time of an entry', () => {
      const original: CacheEntry = { value: { a: 1 }, createdAt: 5, expiresAt: 6, staleUntil: 7, tags: [], loadMs: 12 };
      expect(sut.decode(sut.encode(original).bytes)).toEqual(original);
      expect(sut.decode(sut.encode({ ...original, loadMs: undefined }).bytes)).not.toHaveProperty('loadMs');
    });

    it('keeps the times and tags of the entry', () => {
      const original: CacheEntry = { value: 1, createdAt: 5, expiresAt: 6, staleUntil: 7, tags: ['a'] };
      expect(sut.decode(sut.encode(original).bytes)).toEqual(original);
    });
  });

  describe('compression', () => {
    it("deflates above the threshold: first byte 'z', fewer bytes, same entry back", () => {
      const sut = new CacheSerializer(100);
      const plainSize = new CacheSerializer(0).encode(entry(bigValue())).bytes.length;
      const encoded = sut.encode(entry(bigValue()));
      expect(encoded.compressed).toBe(true);
      expect(String.fromCharCode(encoded.bytes[0])).toBe('z');
      expect(encoded.bytes.length).toBeLessThan(plainSize);
      expect(sut.decode(encoded.bytes)).toEqual(entry(bigValue()));
    });

    it("stays plain JSON ('j') at or below the threshold", () => {
      const plainSize = new CacheSerializer(0).encode(entry(bigValue())).bytes.length;
      const sut = new CacheSerializer(plainSize);
      const encoded = sut.encode(entry(bigValue()));
      expect(encoded.compressed).toBe(false);
      expect(String.fromCharCode(encoded.bytes[0])).toBe('j');
      expect(new CacheSerializer(plainSize - 1).encode(entry(bigValue())).compressed).toBe(true);
    });

    it('stays plain when deflating would not shrink the payload', () => {
      // Twenty scattered CJK characters: high-entropy UTF-8 too short to pay for a Huffman table.
      const value = Array.from({ length: 20 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919 + i * i * 31) % 20_000))).join('');
      const plain = new CacheSerializer(0).encode(entry(value)).bytes;
      expect(deflateRawSync(plain.subarray(1), { level: 1 }).length + 1).toBeGreaterThanOrEqual(plain.length); // premise
      const sut = new CacheSerializer(1);
      const encoded = sut.encode(entry(value));
      expect(encoded.compressed).toBe(false);
      expect(encoded.bytes).toEqual(plain);
      expect(sut.decode(encoded.bytes).value).toBe(value);
    });

    it('threshold 0 disables compression', () => {
      const encoded = new CacheSerializer(0).encode(entry(bigValue()));
      expect(encoded.compressed).toBe(false);
      expect(encoded.bytes[0]).toBe('j'.charCodeAt(0));
    });

    it('reads payloads written with another threshold (the header says how)', () => {
      const compressing = new CacheSerializer(10);
      const plain = new CacheSerializer(0);
      const zipped = compressing.encode(entry(bigValue()));
      const unzipped = plain.encode(entry(bigValue()));
      expect([zipped.compressed, unzipped.compressed]).toEqual([true, false]);
      expect(plain.decode(zipped.bytes)).toEqual(entry(bigValue()));
      expect(compressing.decode(unzipped.bytes)).toEqual(entry(bigValue()));
    });

    it('brings Dates back from a compressed payload too', () => {
      const sut = new CacheSerializer(10);
      const value = { ...bigValue(), at: new Date(42) };
      const encoded = sut.encode(entry(value));
      expect(encoded.compressed).toBe(true);
      expect(sut.decode<typeof value>(encoded.bytes).value.at).toEqual(new Date(42));
    });
  });

  describe('decode', () => {
    const sut = new CacheSerializer(0);

    it('throws on an unknown header byte', () => {
      expect(() => sut.decode(Buffer.from('x{"v":1}'))).toThrow('Unknown cache entry encoding 0x78');
    });

    it('throws on empty bytes', () => {
      expect(() => sut.decode(Buffer.alloc(0))).toThrow('Empty cache entry');
    });

    it('stops inflating at maxEntryBytes: a deflate bomb is corrupt, not 50 MB of memory', () => {
      const bounded = new CacheSerializer(0, { maxEntryBytes: 64 * 1024 });
      const bomb = Buffer.concat([Buffer.from('z'), deflateRawSync(Buffer.alloc(50 * 1024 * 1024, 0x20))]);
      expect(bomb.length).toBeLessThan(64 * 1024); // premise: small on the wire
      const before = process.memoryUsage().arrayBuffers;
      expect(() => bounded.decode(bomb)).toThrow(new CorruptEntryError('Deflated cache entry inflates past the 65536-byte bound'));
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    });

    it('reads an entry whose JSON is exactly maxEntryBytes, and refuses a plain one over it', () => {
      const encoded = new CacheSerializer(10).encode(entry(bigValue()));
      expect(new CacheSerializer(0, { maxEntryBytes: encoded.plainBytes }).decode(encoded.bytes)).toEqual(entry(bigValue()));
      expect(() => new CacheSerializer(0, { maxEntryBytes: encoded.plainBytes - 1 }).decode(encoded.bytes)).toThrow(CorruptEntryError);
      const plain = new CacheSerializer(0).encode(entry(bigValue()));
      expect(() => new CacheSerializer(0, { maxEntryBytes: plain.plainBytes - 1 }).decode(plain.bytes)).toThrow(/over the \d+-byte bound/);
    });

    it.each([
      ['digit-leading garbage', '1{"v":"x"}'],
      ['JSON that is no object', 'j[1,2,3]'],
      ['null', 'jnull'],
      ['an object without the times', 'j{"v":{"json":"x"}}'],
      ['times that are not numbers', 'j{"c":"1","e":2,"s":3,"t":[],"v":1}'],
      ['tags that are not strings', 'j{"c":1,"e":2,"s":3,"t":[7],"v":1}'],
      ['no value', 'j{"c":1,"e":2,"s":3,"t":[]}'],
      ['truncated JSON', 'j{"c":1,"e":2,"s":3,"t":[],"v":{"json":"'],
      ['garbage after the deflate header', 'z\u0000\u00ff\u0013garbage'],
    ])('throws CorruptEntryError on %s', (_name, stored) => {
      expect(() => sut.decode(Buffer.from(stored, 'latin1'))).toThrow(CorruptEntryError);
    });

    it('says how long the JSON of what it decoded is, as encode does', () => {
      const compressing = new CacheSerializer(10);
      const encoded = compressing.encode(entry(bigValue()));
      expect(encoded.compressed).toBe(true);
      expect(compressing.decodeSized(encoded.bytes).plainBytes).toBe(encoded.plainBytes);
      const plain = sut.encode(entry('héllo'));
      expect(plain.plainBytes).toBe(plain.bytes.length - 1);
      expect(sut.decodeSized(plain.bytes).plainBytes).toBe(plain.plainBytes);
    });
  });

  describe('readStored', () => {
    it('is a miss for absent bytes, without a report', () => {
      const onCorrupt = jest.fn();
      const sut = new CacheSerializer(0, { onCorrupt });
      expect(sut.readStored('k', null)).toBeUndefined();
      expect(sut.readStored('k', Buffer.alloc(0))).toBeUndefined();
      expect(onCorrupt).not.toHaveBeenCalled();
    });

    it('is a miss for corrupt bytes and for a counter under an entry key, reporting the key and why', () => {
      const onCorrupt = jest.fn();
      const sut = new CacheSerializer(0, { maxEntryBytes: 1024, onCorrupt });
      const bomb = Buffer.concat([Buffer.from('z'), deflateRawSync(Buffer.alloc(1024 * 1024))]);
      expect(sut.readStored('k1', bomb)).toBeUndefined();
      expect(sut.readStored('k2', Buffer.from('9 lives'))).toBeUndefined();
      expect(sut.readStored('k3', Buffer.from('12345'))).toBeUndefined();
      expect(onCorrupt.mock.calls.map(([key, error]: [string, Error]) => [key, error.message])).toEqual([
        ['k1', 'Deflated cache entry inflates past the 1024-byte bound'],
        ['k2', 'Unknown cache entry encoding 0x39'],
        ['k3', 'A counter where an entry was expected'],
      ]);
    });

    it('reads a good entry with its JSON length', () => {
      const sut = new CacheSerializer(0);
      const encoded = sut.encode(entry({ a: 1 }));
      expect(sut.readStored('k', encoded.bytes)).toEqual({ entry: entry({ a: 1 }), plainBytes: encoded.plainBytes });
    });
  });

  describe(isCounterValue.name, () => {
    it.each([
      ['42', true],
      ['-7', true],
      ['0', true],
      ['9223372036854775807', true],
      ['1{"v":1}', false],
      ['12 ', false],
      ['-', false],
      ['', false],
      ['j{"v":1}', false],
      ['123456789012345678901', false],
    ])('%p is a counter: %p', (stored, expected) => {
      expect(isCounterValue(Buffer.from(stored))).toBe(expected);
    });
  });

  describe('describe', () => {
    it('names the encoding from the first byte', () => {
      expect(CacheSerializer.describe(new CacheSerializer(0).encode(entry(bigValue())).bytes)).toBe('json');
      expect(CacheSerializer.describe(new CacheSerializer(10).encode(entry(bigValue())).bytes)).toBe('json+deflate');
      expect(CacheSerializer.describe(Buffer.from('x'))).toBe('unknown');
      expect(CacheSerializer.describe(Buffer.alloc(0))).toBe('unknown');
    });
  });
});
