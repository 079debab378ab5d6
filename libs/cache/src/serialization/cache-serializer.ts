import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { CacheEntry } from './cache-entry';

/** First byte of an encoded entry: says how the rest is to be read. */
const PLAIN = 0x6a; // 'j': UTF-8 JSON envelope
const DEFLATE = 0x7a; // 'z': raw-deflated JSON envelope
const DATE_MARK = '@@date';
const DATE_MARK_QUOTED = `"${DATE_MARK}"`;

/** Encoded form of an entry and what the encoding chose. */
export interface EncodedEntry {
  bytes: Buffer;
  compressed: boolean;
}

interface Envelope {
  c: number;
  e: number;
  s: number;
  t: readonly string[];
  v: unknown;
  /** The load's duration, ms (absent for explicit puts). */
  d?: number;
}

function replaceDates(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // JSON.stringify has already called Date#toJSON; the holder still has the Date itself.
  const raw = this[key];
  return raw instanceof Date ? { [DATE_MARK]: raw.toISOString() } : value;
}

function reviveDates(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && DATE_MARK in value) {
    const iso = (value as Record<string, unknown>)[DATE_MARK];
    if (typeof iso === 'string' && Object.keys(value).length === 1) return new Date(iso);
  }
  return value;
}

/**
 * Turns entries into bytes for Redis and back: plain JSON, Dates kept as Dates, and
 * deflate above a threshold. The first byte names the encoding, so entries written with
 * another threshold (or by an older instance) still read back.
 */
export class CacheSerializer {
  constructor(private readonly compressionThresholdBytes: number) {}

  encode(entry: CacheEntry): EncodedEntry {
    const envelope: Envelope = {
      c: entry.createdAt,
      e: entry.expiresAt,
      s: entry.staleUntil,
      t: entry.tags,
      v: entry.value,
      ...(entry.loadMs === undefined ? {} : { d: entry.loadMs }),
    };
    const json = JSON.stringify(envelope, replaceDates);
    const plain = Buffer.from(`j${json}`, 'utf8');
    if (this.compressionThresholdBytes > 0 && plain.length > this.compressionThresholdBytes) {
      const deflated = deflateRawSync(plain.subarray(1), { level: 1 });
      if (deflated.length + 1 < plain.length) {
        return { bytes: Buffer.concat([Buffer.of(DEFLATE), deflated]), compressed: true };
      }
    }
    return { bytes: plain, compressed: false };
  }

  decode<T = unknown>(bytes: Buffer): CacheEntry<T> {
    if (bytes.length === 0) throw new Error('Empty cache entry');
    let json: string;
    if (bytes[0] === PLAIN) json = bytes.toString('utf8', 1);
    else if (bytes[0] === DEFLATE) json = inflateRawSync(bytes.subarray(1)).toString('utf8');
    else throw new Error(`Unknown cache entry encoding 0x${bytes[0].toString(16)}`);
    const envelope = (json.includes(DATE_MARK_QUOTED) ? JSON.parse(json, reviveDates) : JSON.parse(json)) as Envelope;
    return {
      value: envelope.v as T,
      createdAt: envelope.c,
      expiresAt: envelope.e,
      staleUntil: envelope.s,
      tags: envelope.t,
      ...(typeof envelope.d === 'number' ? { loadMs: envelope.d } : {}),
    };
  }

  /** Names the encoding of stored bytes, for the operators' key view. */
  static describe(bytes: Buffer): 'json' | 'json+deflate' | 'unknown' {
    if (bytes[0] === PLAIN) return 'json';
    if (bytes[0] === DEFLATE) return 'json+deflate';
    return 'unknown';
  }
}
