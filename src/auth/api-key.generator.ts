import { createHash, randomBytes } from 'node:crypto';

/** Every key starts with this, so a leaked key is recognisable in logs and secret scanners. */
export const API_KEY_MARK = 'ck_';
/** How much of a key is stored in clear to identify it (the mark and 8 random characters). */
export const API_KEY_PREFIX_LENGTH = API_KEY_MARK.length + 8;
/** What `generateApiKey` makes: the mark, then 32 random bytes in base64url (43 characters, no padding). */
const API_KEY_FORMAT = /^ck_[A-Za-z0-9_-]{43}$/;
/** Said to a client whose key cannot be one of ours, so it knows a typo from a revocation. */
export const API_KEY_FORMAT_DESCRIPTION = 'ck_ followed by 43 base64url characters';

export interface GeneratedApiKey {
  key: string;
  prefix: string;
  hash: string;
}

/**
 * SHA-256, unsalted: right for a 256-bit random key (nothing to brute-force, unlike a password),
 * and it lets a request find its key by an indexed equality lookup.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Whether a presented key has the shape of one `generateApiKey` makes (mark, length, alphabet).
 * Anything else is refused without a lookup: it cannot be in the database.
 */
export function isWellFormedApiKey(key: string): boolean {
  return API_KEY_FORMAT.test(key);
}

/** A new key: 32 random bytes, base64url. */
export function generateApiKey(): GeneratedApiKey {
  const key = `${API_KEY_MARK}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, API_KEY_PREFIX_LENGTH), hash: hashApiKey(key) };
}
