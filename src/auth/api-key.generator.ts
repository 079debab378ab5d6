import { createHash, randomBytes } from 'node:crypto';

/** Every key starts with this, so a leaked key is recognisable in logs and secret scanners. */
export const API_KEY_MARK = 'ck_';
/** How much of a key is stored in clear to identify it (the mark and 8 random characters). */
export const API_KEY_PREFIX_LENGTH = API_KEY_MARK.length + 8;

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

/** A new key: 32 random bytes, base64url. */
export function generateApiKey(): GeneratedApiKey {
  const key = `${API_KEY_MARK}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, API_KEY_PREFIX_LENGTH), hash: hashApiKey(key) };
}
