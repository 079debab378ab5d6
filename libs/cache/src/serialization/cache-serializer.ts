import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { CacheEntry } from './cache-entry';
import { describeError } from '../common/async';

/** First byte of an encoded entry: says how the rest is to be read. */
const PLAIN = 0x6a; // 'j': UTF-8 JSON envelope
const DEFLATE = 0x7a; // 'z': raw-deflated JSON envelope
const DATE_MARK = '@@date';
const DATE_MARK_QUOTED = `"${DATE_MARK}"`;
/** Default bound of an entry's JSON, encoded or decoded (the library's `maxEntryBytes` default). */
export const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;
/** What Redis INCRBY leaves in a key: a signed 64-bit integer in decimal, nothing else. */
const COUNTER = /^-?[0-9]{1,19}$/;

/** Encoded form of an entry and what the encoding chose. */
export interface EncodedEntry {
  bytes: Buffer;
  compressed: boolean;
  /** UTF-8 length of the JSON envelope before compression: what decoding it inflates to. */
  plainBytes: number;
}

/** A decoded entry and the UTF-8 length of the JSON it was read from. */
export interface DecodedEntry<T = unknown> {
  entry: CacheEntry<T>;
  plainBytes: number;
}

/** Stored bytes that are not an entry this serializer wrote: unknown header, over the bound, not JSON, no envelope. */
export class CorruptEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptEntryError';
  }
}

export interface CacheSerializerOptions {
  /**
   * Largest JSON envelope, in bytes, an entry may have: larger values are not cached, and stored
   * bytes that are (or inflate to) more are corrupt. Bounds what one Redis value can cost to read,
   * so a deflate bomb written by anything sharing the Redis inflates to at most this much.
   */
  maxEntryBytes?: number;
  /** Told of every corrupt value `readStored` met (the key it was under and why), e.g. to count and log it. */
  onCorrupt?: (key: string, error: CorruptEntryError) => void;
}

interface Envelope {
  c: number;
  e: number;
  s: number;
  t: readonly string[];
  v: unknown;
  /** The load's duration, ms (absent for explicit puts). */
  d?: number;
  /**
   * 1 when `v` holds Dates written as date marks, 0 when it holds none. Written last, after `v`
   * (see `encode`). Entries of earlier versions have no `x`: their JSON is searched for a mark.
   */
  x?: 0 | 1;
}

/** The envelope `encode` is stringifying, and whether a Date was replaced in it so far (see `replaceDates`). */
let stringifying: { envelope: Envelope; replacedDate: boolean } | undefined;

function replaceDates(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // JSON.stringify has already called Date#toJSON; the holder still has the Date itself.
  const raw = this[key];
  if (raw instanceof Date) {
    if (stringifying !== undefined) stringifying.replacedDate = true;
    return { [DATE_MARK]: raw.toISOString() };
  }
  // The envelope's last field: by now `v` is written, so it can say whether a Date was in it.
  if (key === 'x' && stringifying !== undefined && this === (stringifying.envelope as unknown)) return stringifying.replacedDate ? 1 : 0;
  return value;
}

/** A date mark's Date, or undefined when `value` is no date mark. */
function markedDate(value: object): Date | undefined {
  if (!(DATE_MARK in value)) return undefined;
  const iso = (value as Record<string, unknown>)[DATE_MARK];
  return typeof iso === 'string' && Object.keys(value).length === 1 ? new Date(iso) : undefined;
}

/**
 * `value` (parsed JSON) with its date marks turned back into Dates, in place: a walk after a
 * plain `JSON.parse`, cheaper than a reviver, made only for entries that hold marks.
 */
function reviveDates(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const date = markedDate(value);
  if (date !== undefined) return date;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveDates(value[i]);
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) record[key] = reviveDates(record[key]);
  }
  return value;
}

/**
 * Whether `value` may hold a Date: false for primitives and for plain objects and arrays whose
 * values are all primitives (an HTTP answer, a counter, a flat record), true for anything else.
 */
function mayHoldDates(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== Array.prototype && prototype !== null) return true;
  for (const key in value) {
    const field: unknown = (value as Record<string, unknown>)[key];
    if (field !== null && typeof field === 'object') return true;
  }
  return false;
}

/** The shape `encode` writes, checked field by field: anything else under an entry key is not an entry. */
function isEnvelope(value: unknown): value is Envelope {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const envelope = value as Record<string, unknown>;
  return (
    Number.isFinite(envelope.c) &&
    Number.isFinite(envelope.e) &&
    Number.isFinite(envelope.s) &&
    Array.isArray(envelope.t) &&
    envelope.t.every((tag) => typeof tag === 'string') &&
    Object.prototype.hasOwnProperty.call(envelope, 'v')
  );
}

/** True when stored bytes are a counter (what INCRBY keeps): an optional sign and decimal digits only. */
export function isCounterValue(bytes: Buffer): boolean {
  return bytes.length > 0 && bytes.length <= 20 && COUNTER.test(bytes.toString('latin1'));
}

/** A counter's bytes as the stores' `get` shows them: its value, never expiring, no tags. */
export function counterEntry(bytes: Buffer): CacheEntry<number> {
  return { value: Number(bytes.toString('latin1')), createdAt: 0, expiresAt: Infinity, staleUntil: Infinity, tags: [] };
}

/**
 * Turns entries into bytes for Redis and back: plain JSON, Dates kept as Dates, and
 * deflate above a threshold. The first byte names the encoding, so entries written with
 * another threshold (or by an older instance) still read back.
 *
 * Reading trusts nothing Redis holds: inflation stops at `maxEntryBytes`, and the JSON must be
 * the envelope `encode` writes. Anything else throws {@link CorruptEntryError}; `readStored`
 * turns that into a miss.
 */
export class CacheSerializer {
  readonly maxEntryBytes: number;
  private readonly onCorrupt: CacheSerializerOptions['onCorrupt'];

  constructor(
    private readonly compressionThresholdBytes: number,
    options: CacheSerializerOptions = {},
  ) {
    this.maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    this.onCorrupt = options.onCorrupt;
  }

  /**
   * `entry` encoded, or why it must not be cached: its value does not serialize, or its JSON is
   * over `maxEntryBytes` (bounded by the JSON, not the compressed form: readers inflate at most that).
   */
  encodeWithinLimit(entry: CacheEntry): EncodedEntry | { refused: string } {
    let encoded: EncodedEntry;
    try {
      encoded = this.encode(entry);
    } catch (error) {
      return { refused: `is not serializable (${describeError(error)})` };
    }
    if (encoded.plainBytes > this.maxEntryBytes) return { refused: `is ${encoded.plainBytes} bytes of JSON, over the ${this.maxEntryBytes}-byte limit` };
    return encoded;
  }

  encode(entry: CacheEntry): EncodedEntry {
    const envelope: Envelope = { c: entry.createdAt, e: entry.expiresAt, s: entry.staleUntil, t: entry.tags, v: entry.value };
    if (entry.loadMs !== undefined) envelope.d = entry.loadMs;
    envelope.x = 0;
    // The replacer (Dates kept as Dates) takes JSON.stringify off its fast path: only where a Date
    // may be. It also sets `x`, serialized after `v`, to what it met there, so reading an entry
    // with no Dates (most) is a plain JSON.parse.
    let json: string;
    if (mayHoldDates(entry.value)) {
      // Saved and restored: a value's toJSON could itself encode an entry.
      const outer = stringifying;
      stringifying = { envelope, replacedDate: false };
      try {
        json = JSON.stringify(envelope, replaceDates);
      } finally {
        stringifying = outer;
      }
    } else {
      json = JSON.stringify(envelope);
    }
    const plain = Buffer.from(`j${json}`, 'utf8');
    const plainBytes = plain.length - 1;
    if (this.compressionThresholdBytes > 0 && plain.length > this.compressionThresholdBytes) {
      const deflated = deflateRawSync(plain.subarray(1), { level: 1 });
      if (deflated.length + 1 < plain.length) {
        return { bytes: Buffer.concat([Buffer.of(DEFLATE), deflated]), compressed: true, plainBytes };
      }
    }
    return { bytes: plain, compressed: false, plainBytes };
  }

  /** Decodes an entry; throws {@link CorruptEntryError} for bytes that are not one. */
  decode<T = unknown>(bytes: Buffer): CacheEntry<T> {
    return this.decodeSized<T>(bytes).entry;
  }

  /** `decode`, also saying how long the entry's JSON is (the in-process tier accounts by it). */
  decodeSized<T = unknown>(bytes: Buffer): DecodedEntry<T> {
    if (bytes.length === 0) throw new CorruptEntryError('Empty cache entry');
    let json: string;
    if (bytes[0] === PLAIN) {
      if (bytes.length - 1 > this.maxEntryBytes) {
        throw new CorruptEntryError(`Cache entry of ${bytes.length - 1} bytes is over the ${this.maxEntryBytes}-byte bound`);
      }
      json = bytes.toString('utf8', 1);
    } else if (bytes[0] === DEFLATE) {
      json = this.inflate(bytes.subarray(1));
    } else {
      throw new CorruptEntryError(`Unknown cache entry encoding 0x${bytes[0].toString(16)}`);
    }
    const plainBytes = bytes[0] === PLAIN ? bytes.length - 1 : Buffer.byteLength(json, 'utf8');
    let envelope: unknown;
    try {
      envelope = JSON.parse(json);
    } catch {
      throw new CorruptEntryError('Cache entry is not JSON');
    }
    if (!isEnvelope(envelope)) throw new CorruptEntryError('Cache entry is JSON but not an entry envelope');
    let value = envelope.v;
    // `x` says whether there are marks; an entry written before it existed is searched for one.
    if (envelope.x === 1 || (envelope.x === undefined && json.includes(DATE_MARK_QUOTED))) {
      try {
        value = reviveDates(value);
      } catch (error) {
        throw new CorruptEntryError(`Cache entry's dates are unreadable (${describeError(error)})`);
      }
    }
    const entry: CacheEntry<T> = { value: value as T, createdAt: envelope.c, expiresAt: envelope.e, staleUntil: envelope.s, tags: envelope.t };
    if (typeof envelope.d === 'number') entry.loadMs = envelope.d;
    return { entry, plainBytes };
  }

  /**
   * What a read of an entry finds: absent (null or empty) and corrupt bytes are both a miss, and
   * corrupt ones are reported to `onCorrupt` with the key (unless `report` is false: a read that
   * follows one already reported). A counter is no entry either.
   */
  readStored<T = unknown>(key: string, bytes: Buffer | null, report = true): DecodedEntry<T> | undefined {
    if (bytes === null || bytes.length === 0) return undefined;
    try {
      return this.decodeSized<T>(bytes);
    } catch (error) {
      const corrupt = error instanceof CorruptEntryError ? error : new CorruptEntryError(String(error));
      const reason = isCounterValue(bytes) ? new CorruptEntryError('A counter where an entry was expected') : corrupt;
      if (report) this.onCorrupt?.(key, reason);
      return undefined;
    }
  }

  /** Names the encoding of stored bytes, for the operators' key view. */
  static describe(bytes: Buffer): 'json' | 'json+deflate' | 'unknown' {
    if (bytes[0] === PLAIN) return 'json';
    if (bytes[0] === DEFLATE) return 'json+deflate';
    return 'unknown';
  }

  private inflate(deflated: Buffer): string {
    try {
      return inflateRawSync(deflated, { maxOutputLength: this.maxEntryBytes }).toString('utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new CorruptEntryError(`Deflated cache entry inflates past the ${this.maxEntryBytes}-byte bound`);
      }
      throw new CorruptEntryError(`Deflated cache entry is unreadable (${describeError(error)})`);
    }
  }
}
