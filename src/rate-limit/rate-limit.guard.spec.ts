import type { ExecutionContext } from '@nestjs/common';
import { HttpException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SkipThrottle, type ThrottlerStorage } from '@nestjs/throttler';
import type { ApiKeysService } from '../auth/api-keys.service';
import type { OperatorTokenVerifier } from '../auth/operator-token.verifier';
import type { AppConfigType } from '../config/app.config';
import { RateLimitGuard } from './rate-limit.guard';

const OPERATOR = 'operator-token-0123456789';
const KEY = `ck_${'k'.repeat(43)}`;
const UNKNOWN = `ck_${'u'.repeat(43)}`;
const IDENTITY = { orgId: 'org-1', keyId: 'key-7' };

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
  let resolveCached: jest.Mock;
  let sut: RateLimitGuard;

  beforeEach(async () => {
    storage = new RecordingStorage();
    resolve = jest.fn(async (token: string) => (token === KEY ? IDENTITY : undefined));
    resolveCached = jest.fn(async () => undefined);
    sut = await guardWith({});
  });

  /** A guard over this test's storage and key lookups, with the limits 2 (key), 1 (address), 3 (operator). */
  async function guardWith(extra: Partial<AppConfigType>): Promise<RateLimitGuard> {
    const config = { rateLimit: { enabled: true, ttlSeconds: 60, limit: 2, anonymousLimit: 1, operatorLimit: 3 }, ...extra } as AppConfigType;
    const guard = new RateLimitGuard(
      { throttlers: [{ name: 'default', ttl: 60_000, limit: 2 }] },
      storage,
      new Reflector(),
      { resolve, resolveCached } as unknown as ApiKeysService,
      { matches: (token: string) => token === OPERATOR } as unknown as OperatorTokenVerifier,
      config,
    );
    await guard.onModuleInit();
    return guard;
  }

  it('counts a key the cache knows by its key id, never the key, with the keyed limit, across routes, without a lookup', async () => {
    resolveCached.mockResolvedValue(IDENTITY);
    const first = contextFor({ authorization: `Bearer ${KEY}` });
    await expect(sut.canActivate(first.context)).resolves.toBe(true);
    expect(first.responseHeaders).toEqual({ 'RateLimit-Limit': 2, 'RateLimit-Remaining': 1, 'RateLimit-Reset': 30 });
    await sut.canActivate(contextFor({ authorization: `Bearer ${KEY}` }, '10.9.9.9').context);

    const third = contextFor({ authorization: `Bearer ${KEY}` });
    await expect(sut.canActivate(third.context)).rejects.toBeInstanceOf(HttpException);
    expect(third.responseHeaders).toMatchObject({ 'Retry-After': 30, 'RateLimit-Limit': 2, 'RateLimit-Remaining': 0, 'RateLimit-Reset': 30 });
    expect(new Set(storage.keys)).toEqual(new Set(['default:key:key-7']));
    expect(storage.keys.join()).not.toContain(KEY);
    expect(resolve).not.toHaveBeenCalled();
  });

  it('counts a key the cache does not know against the address first, then looks it up once and counts its key id', async () => {
    const { context, responseHeaders } = contextFor({ authorization: `Bearer ${KEY}` });
    await expect(sut.canActivate(context)).resolves.toBe(true);
    expect(storage.keys).toEqual(['default:ip:10.1.2.3', 'default:key:key-7']);
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(responseHeaders['RateLimit-Limit']).toBe(2);
  });

  it('with caching disabled, counts a real key by its key id only (never the address budget), an unknown one by address', async () => {
    const uncached = await guardWith({ cache: { enabled: false } } as Partial<AppConfigType>);
    await expect(uncached.canActivate(contextFor({ authorization: `Bearer ${KEY}` }).context)).resolves.toBe(true);
    await expect(uncached.canActivate(contextFor({ authorization: `Bearer ${KEY}` }).context)).resolves.toBe(true); // past the anonymous limit of 1
    await expect(uncached.canActivate(contextFor({ authorization: `Bearer ${UNKNOWN}` }).context)).resolves.toBe(true);
    expect(storage.keys).toEqual(['default:key:key-7', 'default:key:key-7', 'default:ip:10.1.2.3']);
    expect(resolveCached).not.toHaveBeenCalled();
  });

  it('refuses an unknown key past the address budget before looking it up', async () => {
    await expect(sut.canActivate(contextFor({ authorization: `Bearer ${UNKNOWN}` }).context)).resolves.toBe(true);
    expect(resolve).toHaveBeenCalledTimes(1);
    await expect(sut.canActivate(contextFor({ authorization: `Bearer ${UNKNOWN}` }).context)).rejects.toBeInstanceOf(HttpException);
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(storage.keys).toEqual(['default:ip:10.1.2.3', 'default:ip:10.1.2.3']);
  });

  it('counts the address once for a burst with one key the cache does not know yet, the lookup being shared', async () => {
    let release!: () => void;
    resolve.mockImplementation(() => new Promise((done) => (release = () => done(IDENTITY))));
    const burst = Array.from({ length: 5 }, () => sut.canActivate(contextFor({ authorization: `Bearer ${KEY}` }).context));
    await new Promise((resolveTick) => setImmediate(resolveTick));
    release();
    await expect(Promise.all(burst)).rejects.toBeInstanceOf(HttpException); // the key's budget is 2
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(storage.keys.filter((key) => key.startsWith('default:ip:'))).toEqual(['default:ip:10.1.2.3']);
    expect(storage.keys.filter((key) => key === 'default:key:key-7')).toHaveLength(5);
  });

  it('counts requests that joined the lookup of an unknown key by address too', async () => {
    let release!: () => void;
    resolve.mockImplementation(() => new Promise((done) => (release = () => done(undefined))));
    const burst = Array.from({ length: 3 }, () => sut.canActivate(contextFor({ authorization: `Bearer ${UNKNOWN}` }).context).then(() => 'ok', () => '429'));
    await new Promise((resolveTick) => setImmediate(resolveTick));
    release();
    expect(await Promise.all(burst)).toEqual(['ok', '429', '429']); // anonymous limit 1
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(storage.keys).toEqual(['default:ip:10.1.2.3', 'default:ip:10.1.2.3', 'default:ip:10.1.2.3']);
  });

  it('counts anonymous requests and malformed keys by address with the anonymous limit, looking nothing up', async () => {
    const anonymous = contextFor({});
    await sut.canActivate(anonymous.context);
    expect(anonymous.responseHeaders['RateLimit-Limit']).toBe(1);
    await expect(sut.canActivate(contextFor({ authorization: 'Bearer guessed' }).context)).rejects.toBeInstanceOf(HttpException);
    expect(storage.keys).toEqual(['default:ip:10.1.2.3', 'default:ip:10.1.2.3']);
    expect(resolve).not.toHaveBeenCalled();
    expect(resolveCached).not.toHaveBeenCalled();
  });

  it('counts the operator token against a budget of its own, without looking it up as a key', async () => {
    for (let i = 0; i < 3; i++) {
      const { context, responseHeaders } = contextFor({ authorization: `Bearer ${OPERATOR}` });
      await expect(sut.canActivate(context)).resolves.toBe(true);
      expect(responseHeaders['RateLimit-Limit']).toBe(3);
    }
    await expect(sut.canActivate(contextFor({ authorization: `Bearer ${OPERATOR}` }).context)).rejects.toBeInstanceOf(HttpException);
    expect(new Set(storage.keys)).toEqual(new Set(['default:operator']));
    expect(resolve).not.toHaveBeenCalled();
    expect(resolveCached).not.toHaveBeenCalled();
  });

  it('counts by address only when the key lookup fails', async () => {
    resolve.mockRejectedValueOnce(new Error('database down'));
    await expect(sut.canActivate(contextFor({ authorization: `Bearer ${KEY}` }).context)).resolves.toBe(true);
    expect(storage.keys).toEqual(['default:ip:10.1.2.3']);
  });

  it('leaves handlers that carry a throttler decorator to the stock guard (@SkipThrottle is honoured)', async () => {
    class Probes {
      @SkipThrottle()
      skipped(): void {}

      plain(): void {}
    }
    const on = (handler: Function) => {
      const { context } = contextFor({});
      return { ...context, getHandler: () => handler, getClass: () => Probes } as unknown as ExecutionContext;
    };
    await expect(sut.canActivate(on(Probes.prototype.skipped))).resolves.toBe(true);
    await expect(sut.canActivate(on(Probes.prototype.skipped))).resolves.toBe(true);
    expect(storage.keys).toEqual([]);
    await expect(sut.canActivate(on(Probes.prototype.plain))).resolves.toBe(true);
    expect(storage.keys).toEqual(['default:ip:10.1.2.3']);
  });
});
