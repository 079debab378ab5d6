import { fullKeyGlob, globMatchesAll, type StringUniverse } from '@app/cache';

/** Longest pattern accepted; longer globs are no one's typing and cost Redis time per key. */
export const MAX_PATTERN_LENGTH = 256;

/** Why a pattern was refused, worded for the 400's message. */
export class CacheKeyPatternError extends Error {}

/**
 * Translates a glob over the public key form `org:namespace:id` (what `X-Cache-Key` and
 * `GET /cache/keys` show) into a glob over this app's full keys, `{prefix}:{org}:namespace:id`.
 *
 * The prefix is prepended as a literal, so no pattern can reach another app's keys. Refused
 * (400): an empty or blank pattern (never "everything" by accident: ask for `*`), one longer
 * than 256 characters, control characters, braces in the organization part (the hash-tag
 * delimiters, which no organization contains), and a pattern with no `:` other than `*`
 * (every public key has at least two, so it would match nothing or be a typo).
 *
 * @example
 * toFullKeyGlob('app', '*:users:*')   // 'app:{*}:users:*'
 * toFullKeyGlob('app', '*')           // 'app:{*}:*'
 */
export function toFullKeyGlob(prefix: string, publicPattern: string): string {
  checkCommon(publicPattern);
  if (publicPattern === '*') return fullKeyGlob(prefix, '*', '*');
  const sep = firstUnescapedColon(publicPattern);
  if (sep < 0) throw new CacheKeyPatternError('pattern must have the form org:namespace:id (e.g. *:users:*), or be *');
  const org = publicPattern.slice(0, sep);
  const rest = publicPattern.slice(sep + 1);
  if (org === '') throw new CacheKeyPatternError('pattern must start with an organization (or *)');
  if (/[{}]/.test(org)) throw new CacheKeyPatternError('pattern must not contain { or } in the organization part');
  return fullKeyGlob(prefix, org, rest === '' ? '*' : rest);
}

/**
 * Every entry id an invalidation pattern is matched against: `namespace:id`, the namespace
 * being 1+ characters of `[A-Za-z0-9_.-]` (the key builder's rule) and the id anything.
 */
const ENTRY_IDS: StringUniverse<'start' | 'namespace' | 'id'> = {
  start: 'start',
  accepting: (state) => state === 'id',
  step(state, ch) {
    if (state === 'id') return 'id';
    if (/^[A-Za-z0-9_.-]$/.test(ch)) return 'namespace';
    return state === 'namespace' && ch === ':' ? 'id' : undefined;
  },
  boundaries: ':-._09AZaz',
};

/**
 * Checks a glob over `namespace:id` for `POST /cache/invalidate` (the organization is its own
 * field there). A glob that matches every entry id (`*`, `?*`, `**`, `*:*`, `[^:]*`, ...,
 * judged by what it matches: `globMatchesAll`) would delete every entry of every
 * organization: refused unless an organization narrows it, since `DELETE /cache?confirm=true`
 * is the deliberate way to flush.
 */
export function checkInvalidationPattern(pattern: string, org: string | undefined): string {
  checkCommon(pattern);
  if (/[{}]/.test(pattern)) throw new CacheKeyPatternError('pattern must not contain { or }');
  if (org === undefined && globMatchesAll(pattern, ENTRY_IDS)) {
    throw new CacheKeyPatternError('pattern matches every entry of every organization: name an org, or use DELETE /cache?confirm=true');
  }
  return pattern;
}

function checkCommon(pattern: string): void {
  if (pattern.trim() === '') throw new CacheKeyPatternError('pattern must not be empty (use * for every key)');
  if (pattern.length > MAX_PATTERN_LENGTH) throw new CacheKeyPatternError(`pattern must be at most ${MAX_PATTERN_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(pattern)) throw new CacheKeyPatternError('pattern must not contain control characters');
}

function firstUnescapedColon(pattern: string): number {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ':') return i;
  }
  return -1;
}
