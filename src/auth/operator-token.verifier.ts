import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { appConfig, type AppConfigType } from '../config/app.config';

/** Verdicts remembered at most (the oldest is forgotten first). */
const MAX_REMEMBERED = 1_000;

/** Checks a presented token against ADMIN_TOKEN in constant time. */
@Injectable()
export class OperatorTokenVerifier {
  private readonly expected: Buffer;
  /**
   * Token → verdict, for the tokens presented lately: an API client presents the same key on
   * every request, which the rate limit and TenantGuard each check. A lookup here depends on the
   * presented token only, never on ADMIN_TOKEN, so its timing tells nothing about the secret.
   */
  private readonly verdicts = new Map<string, boolean>();

  constructor(@Inject(appConfig.KEY) config: AppConfigType) {
    this.expected = digest(config.adminToken);
  }

  /**
   * Compares SHA-256 digests, which always have the same length, so neither the comparison nor
   * an early length check tells an attacker anything about the token.
   */
  matches(token: string): boolean {
    const remembered = this.verdicts.get(token);
    if (remembered !== undefined) return remembered;
    const verdict = timingSafeEqual(digest(token), this.expected);
    if (this.verdicts.size >= MAX_REMEMBERED) this.verdicts.delete(this.verdicts.keys().next().value as string);
    this.verdicts.set(token, verdict);
    return verdict;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
