import type { ExecutionContext } from '@nestjs/common';
import { HttpException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ApiKeysService } from '../auth/api-keys.service';
import type { OperatorTokenVerifier } from '../auth/operator-token.verifier';
import type { AppConfigType } from '../config/app.config';
import { RateLimitGuard } from './rate-limit.guard';

const OPERATOR = 'operator-token-0123456789';
const KEY = 'sk_live_tenant_key';

class RecordingStorage implements ThrottlerStorage {
  readonly keys: string[] = [];
  private readonly hits = new Map<string, number>();
  async increment(key: string, _ttl: number, limit: number) {
    this.keys.push(key);
    const totalHits = (this.hits.get(key) ?? 0) + 1;
    this.hits.set(key, totalHits);
    const isBlocked = totalHits > limit;
    return { totalHits, timeToExpire: 30, isBlocked, timeToBlockExpire: isBlocked ? 30 : 0 };
  }
}

function contextFor(headers: Record<string, string>, ip = '10.1.2.3') {
  const responseHeaders: Record<string, unknown> = {};
  const request = { headers, ip, socket: {}, path: '/api/v1/users', url: '/api/v1/users' };
  const response = { setHeader: (name: string, value: unknown) => (responseHeaders[name] = value) };
  const context = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    getHandler: () => contextFor,
    getClass: () => RateLimitGuard,
    getType: () => 'http',
  } as unknown as ExecutionContext;
  return { context, responseHeaders };
}

describe(RateLimitGuard.name, () => {
  let storage: RecordingStorage;
  let resolve: jest.Mock;
  let sut: RateLimitGuard;

  beforeEach(async () => {
    storage = new RecordingStorage();
    resolve = jest.fn(async (token: string) => (token === KEY ? { orgId: 'org-1', keyId: 'key-7' } : undefined));
    const config = { rateLimit: { enabled: true, ttlSeconds: 60, limit: 2, anonymousLimit: 1 } } as AppConfigType;
    sut = new RateLimitGuard(
      { throttlers: [{ name: 'default', ttl: 60_000, limit: 2 }] },
      storage,
      new Reflector(),
      { resolve } as unknown as ApiKeysService,
      { matches: (token: string) => token === OPERATOR } as unknown as OperatorTokenVerifier,
      config,
    );
    await sut.onModuleInit();
  });

  it('counts a tenant by its key id, never the key, with the keyed limit, across routes', async () => {
    const first = contextFor({ authorization: `Bearer ${KEY}` });
    await expect(sut.canActivate(first.context)).resolves.toBe(true);
    expect(first.responseHeaders).toEqual({ 'RateLimit-Limit': 2, 'RateLimit-Remaining': 1, 'RateLimit-Reset': 30 });
    await sut.canActivate(contextFor({ authorization: `Bearer ${KEY}` }, '10.9.9.9').context);

    const third = contextFor({ authorization: `Bearer ${KEY}` });
    await expect(sut.canActivate(third.context)).rejects.toBeInstanceOf(HttpException);
    expect(third.responseHeaders).toMatchObject({ 'Retry-After': 30, 'RateLimit-Limit': 2, 'RateLimit-Remaining': 0, 'RateLimit-Reset': 30 });
    expect(new Set(storage.keys)).toEqual(new Set(['default:key:key-7']));
    expect(storage.keys.join()).not.toContain(KEY);
  });

  it('counts unknown keys and anonymous requests by address with the anonymous limit', async () => {
    const anonymous = contextFor({});
    await sut.canActivate(anonymous.context);
    expect(anonymous.responseHeaders['RateLimit-Limit']).toBe(1);
    await expect(sut.canActivate(contextFor({ authorization: 'Bearer guessed' }).context)).rejects.toBeInstanceOf(HttpException);
    expect(storage.keys).toEqual(['default:ip:10.1.2.3', 'default:ip:10.1.2.3']);
  });

  it('counts the operator token as one operator, without looking it up as a key', async () => {
    await sut.canActivate(contextFor({ authorization: `Bearer ${OPERATOR}` }).context);
    expect(storage.keys).toEqual(['default:operator']);
    expect(resolve).not.toHaveBeenCalled();
  });

  it('falls back to the address when the key lookup fails', async () => {
    resolve.mockRejectedValueOnce(new Error('database down'));
    await expect(sut.canActivate(contextFor({ authorization: `Bearer ${KEY}` }).context)).resolves.toBe(true);
    expect(storage.keys).toEqual(['default:ip:10.1.2.3']);
  });
});
