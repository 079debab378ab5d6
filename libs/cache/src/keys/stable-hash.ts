import { createHash } from 'node:crypto';

/**
 * Serializes a value the same way whatever the order its object keys were written in,
 * so `{a:1,b:2}` and `{b:2,a:1}` name the same cache entry.
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return `${value.toString()}n`;
    if (typeof value === 'undefined') return 'undefined';
    // JSON.stringify writes NaN and ±Infinity as null: they would share null's entry.
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    return JSON.stringify(value) ?? String(value);
  }
  if (value instanceof Date) return `D${value.toISOString()}`;
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value instanceof Map) return `M${stableStringify([...value.entries()].sort(compareEntries))}`;
  if (value instanceof Set) return `S${stableStringify([...value].map(stableStringify).sort())}`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(record[k])}`).join(',')}}`;
}

function compareEntries(a: [unknown, unknown], b: [unknown, unknown]): number {
  const ka = stableStringify(a[0]);
  const kb = stableStringify(b[0]);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** A short, stable, URL-safe digest of any argument list (SHA-1, 96 bits). */
export function stableHash(value: unknown): string {
  return createHash('sha1').update(stableStringify(value)).digest('base64url').slice(0, 16);
}
