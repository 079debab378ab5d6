import type { AppConfigType } from '../config/app.config';
import { OperatorTokenVerifier } from './operator-token.verifier';

describe(OperatorTokenVerifier.name, () => {
  const sut = new OperatorTokenVerifier({ adminToken: 'operator-token-0123456789' } as AppConfigType);

  it('matches only the exact token, whatever the length of the guess', () => {
    expect(sut.matches('operator-token-0123456789')).toBe(true);
    expect(sut.matches('operator-token-012345678')).toBe(false);
    expect(sut.matches('operator-token-0123456789x')).toBe(false);
    expect(sut.matches('')).toBe(false);
  });
});
