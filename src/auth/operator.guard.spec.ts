import { type ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import type { ApiKeysService } from './api-keys.service';
import { OperatorGuard } from './operator.guard';
import type { OperatorTokenVerifier } from './operator-token.verifier';

const OPERATOR = 'operator-token-0123456789';
const apiKeys = { resolve: async (key: string) => (key === 'ck_valid' ? { orgId: 'o', keyId: 'k' } : undefined) } as unknown as ApiKeysService;
const operatorToken = { matches: (token: string) => token === OPERATOR } as unknown as OperatorTokenVerifier;

const contextFor = (authorization?: string): ExecutionContext =>
  ({ switchToHttp: () => ({ getRequest: () => ({ headers: authorization === undefined ? {} : { authorization } }) }) }) as unknown as ExecutionContext;

describe(OperatorGuard.name, () => {
  const sut = new OperatorGuard(operatorToken, apiKeys);

  it('admits the operator token', async () => {
    await expect(sut.canActivate(contextFor(`Bearer ${OPERATOR}`))).resolves.toBe(true);
  });

  it.each([undefined, `Basic ${OPERATOR}`, 'Bearer wrong'])('is 401 for %p', async (header) => {
    await expect(sut.canActivate(contextFor(header))).rejects.toThrow(UnauthorizedException);
  });

  it('is 403 for a valid tenant key', async () => {
    await expect(sut.canActivate(contextFor('Bearer ck_valid'))).rejects.toThrow(ForbiddenException);
  });
});
