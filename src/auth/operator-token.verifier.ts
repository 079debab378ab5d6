import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { appConfig, type AppConfigType } from '../config/app.config';

/** Checks a presented token against ADMIN_TOKEN in constant time. */
@Injectable()
export class OperatorTokenVerifier {
  private readonly expected: Buffer;

  constructor(@Inject(appConfig.KEY) config: AppConfigType) {
    this.expected = digest(config.adminToken);
  }

  /**
   * Compares SHA-256 digests, which always have the same length, so neither the comparison nor
   * an early length check tells an attacker anything about the token.
   */
  matches(token: string): boolean {
    return timingSafeEqual(digest(token), this.expected);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
