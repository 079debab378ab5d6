import { CacheContext } from '@app/cache';
import { type ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { ApiKeysService } from './api-keys.service';
import type { OperatorTokenVerifier } from './operator-token.verifier';
import { TenantGuard } from './tenant.guard';
import type { TenantIdentity, TenantRequest } from './tenant-identity';

const OPERATOR = 'operator-token-0123456789';
const VALID = `ck_${'v'.repeat(43)}`;
const UNKNOWN = `ck_${'u'.repeat(43)}`;
const KEYS: Record<string, TenantIdentity> = { [VALID]: { orgId: 'org-1', keyId: 'key-1' } };

const resolve = jest.fn(async (key: string) => KEYS[key]);
const apiKeys = { resolve } as unknown as ApiKeysService;
const operatorToken = { matches: (token: string) => token === OPERATOR } as unknown as OperatorTokenVerifier;

function contextFor(authorization?: string): { context: ExecutionContext; request: TenantRequest } {
  const request: TenantRequest = { headers: authorization === undefined ? {} : { authorization } };
  const context = { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
  return { context, request };
}

describe(TenantGuard.name, () => {
  const sut = new TenantGuard(apiKeys, operatorToken);

  it('admits an active key, recording the tenant on the request and the org in the CacheContext', async () => {
    const { context, request } = contextFor(`Bearer ${VALID}`);

    const org = await CacheContext.run({}, async () => {
      await expect(sut.canActivate(context)).resolves.toBe(true);
      return CacheContext.org();
    });

    expect(org).toBe('org-1');
    expect(request.tenant).toEqual({ orgId: 'org-1', keyId: 'key-1' });
  });

  it.each([undefined, 'Bearer', `Basic ${VALID}`, `Bearer ${UNKNOWN}`, 'Bearer ck_valid'])('is 401 for %p', async (header) => {
    await expect(CacheContext.run({}, () => sut.canActivate(contextFor(header).context))).rejects.toThrow(UnauthorizedException);
  });

  it('refuses a malformed key as such, without looking it up', async () => {
    resolve.mockClear();
    const refusal = CacheContext.run({}, () => sut.canActivate(contextFor(`Bearer ${VALID}x`).context));
    await expect(refusal).rejects.toThrow('The API key is malformed: an API key is ck_ followed by 43 base64url characters');
    expect(resolve).not.toHaveBeenCalled();
  });

  it('is 403 for the operator token', async () => {
    await expect(CacheContext.run({}, () => sut.canActivate(contextFor(`Bearer ${OPERATOR}`).context))).rejects.toThrow(ForbiddenException);
  });

  it('refuses a valid key outside any CacheContext rather than cache under no organization', async () => {
    const { context, request } = contextFor(`Bearer ${VALID}`);

    await expect(sut.canActivate(context)).rejects.toThrow(/CacheContext/);
    expect(request.tenant).toBeUndefined();
  });
});
