import { CacheContext } from '@app/cache';
import { type ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { ApiKeysService } from './api-keys.service';
import type { OperatorTokenVerifier } from './operator-token.verifier';
import { TenantGuard } from './tenant.guard';
import type { TenantIdentity, TenantRequest } from './tenant-identity';

const OPERATOR = 'operator-token-0123456789';
const KEYS: Record<string, TenantIdentity> = { ck_valid: { orgId: 'org-1', keyId: 'key-1' } };

const apiKeys = { resolve: async (key: string) => KEYS[key] } as unknown as ApiKeysService;
const operatorToken = { matches: (token: string) => token === OPERATOR } as unknown as OperatorTokenVerifier;

function contextFor(authorization?: string): { context: ExecutionContext; request: TenantRequest } {
  const request: TenantRequest = { headers: authorization === undefined ? {} : { authorization } };
  const context = { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
  return { context, request };
}

describe(TenantGuard.name, () => {
  const sut = new TenantGuard(apiKeys, operatorToken);

  it('admits an active key, recording the tenant on the request and the org in the CacheContext', async () => {
    const { context, request } = contextFor('Bearer ck_valid');

    const org = await CacheContext.run({}, async () => {
      await expect(sut.canActivate(context)).resolves.toBe(true);
      return CacheContext.org();
    });

    expect(org).toBe('org-1');
    expect(request.tenant).toEqual({ orgId: 'org-1', keyId: 'key-1' });
  });

  it.each([undefined, 'Bearer', 'Basic ck_valid', 'Bearer ck_unknown'])('is 401 for %p', async (header) => {
    await expect(CacheContext.run({}, () => sut.canActivate(contextFor(header).context))).rejects.toThrow(UnauthorizedException);
  });

  it('is 403 for the operator token', async () => {
    await expect(CacheContext.run({}, () => sut.canActivate(contextFor(`Bearer ${OPERATOR}`).context))).rejects.toThrow(ForbiddenException);
  });

  it('refuses a valid key outside any CacheContext rather than cache under no organization', async () => {
    const { context, request } = contextFor('Bearer ck_valid');

    await expect(sut.canActivate(context)).rejects.toThrow(/CacheContext/);
    expect(request.tenant).toBeUndefined();
  });
});
