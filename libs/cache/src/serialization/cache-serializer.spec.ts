import { deflateRawSync } from 'node:zlib';
import type { CacheEntry } from './cache-entry';
import { CacheSerializer } from './cache-serializer';

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
