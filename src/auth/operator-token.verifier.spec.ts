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

  it('answers a token presented again as it did the first time (the verdict is remembered per token)', () => {
    for (let round = 0; round < 3; round++) {
      expect(sut.matches('operator-token-0123456789')).toBe(true);
      expect(sut.matches('ck_some_api_key')).toBe(false);
    }
    // Over the memo's bound, the oldest verdicts go and are computed again, the same.
    for (let i = 0; i < 1_500; i++) sut.matches(`ck_key_${i}`);
    expect(sut.matches('operator-token-0123456789')).toBe(true);
    expect(sut.matches('ck_key_0')).toBe(false);
  });
});
