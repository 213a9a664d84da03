import { SignJWT } from 'jose';
import { checkTimeClaims, createJwtVerifier, InvalidTokenError, type TimeRules } from './jwt';

const NOW = 1_800_000_000_000;
const s = (ms: number) => Math.floor(ms / 1000);
const rules: TimeRules = { toleranceMs: 30_000, requireExp: true };

describe('checkTimeClaims', () => {
  it.each<[string, Record<string, unknown>, TimeRules, string | undefined]>([
    ['a current token', { iat: s(NOW), exp: s(NOW) + 600 }, rules, undefined],
    ['no exp', { iat: s(NOW) }, rules, 'no "exp"'],
    ['no exp, allowed', { iat: s(NOW) }, { ...rules, requireExp: false }, undefined],
    ['exp not a number', { exp: '9999999999' }, rules, '"exp" is not a number'],
    ['exp NaN-like', { exp: Number.POSITIVE_INFINITY }, rules, '"exp" is not a number'],
    ['expired beyond tolerance', { exp: s(NOW) - 60 }, rules, 'expired'],
    ['expired within tolerance', { exp: s(NOW) - 10 }, rules, undefined],
    ['iat a year ahead', { iat: s(NOW) + 365 * 86_400, exp: s(NOW) + 366 * 86_400 }, rules, 'issued in the future'],
    ['iat within tolerance', { iat: s(NOW) + 10, exp: s(NOW) + 600 }, rules, undefined],
    ['iat not a number', { iat: 'now', exp: s(NOW) + 600 }, rules, 'issued in the future'],
    ['nbf ahead', { nbf: s(NOW) + 3600, exp: s(NOW) + 7200 }, rules, 'not valid yet'],
    ['exp in 2286, no age limit', { iat: s(NOW), exp: 9_999_999_999 }, rules, undefined],
    ['too old for maxTokenAge', { iat: s(NOW) - 7200, exp: 9_999_999_999 }, { ...rules, maxTokenAgeMs: 3_600_000 }, 'too old'],
    ['young enough for maxTokenAge', { iat: s(NOW) - 60, exp: 9_999_999_999 }, { ...rules, maxTokenAgeMs: 3_600_000 }, undefined],
    ['no iat with maxTokenAge', { exp: s(NOW) + 600 }, { ...rules, maxTokenAgeMs: 3_600_000 }, 'no "iat"'],
  ])('%s', (_name, payload, given, expected) => {
    const problem = checkTimeClaims(payload, NOW, given);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toContain(expected);
  });
});

describe('the verified-token cache', () => {
  const secret = 'unit-test-secret-0123456789abcdef';
  const config = { header: 'authorization', prefix: 'Bearer ', algorithms: ['HS256' as const], secret, jwksCacheTtl: 600_000, clockTolerance: 0, scopeClaim: 'scope', clientClaim: 'azp', planClaim: 'plan', requireExp: true, maxTokenAge: 3_600_000 };
  const sign = (claims: Record<string, unknown>, iat: number, exp: number) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(s(iat)).setExpirationTime(s(exp)).sign(Buffer.from(secret));

  it('re-checks maxTokenAge on every hit: a cached token ages out on time', async () => {
    const verifier = await createJwtVerifier(config);
    const now = Date.now();
    const jwt = await sign({ sub: 'u1' }, now, now + 10 * 3_600_000);
    await expect(verifier.verify(jwt, now)).resolves.toMatchObject({ sub: 'u1' });
    await expect(verifier.verify(jwt, now + 3_600_000 - 1000)).resolves.toMatchObject({ sub: 'u1' });
    await expect(verifier.verify(jwt, now + 3_600_000 + 1000)).rejects.toThrow(InvalidTokenError);
  });

  it('never answers one token with another token’s claims', async () => {
    const verifier = await createJwtVerifier(config);
    const now = Date.now();
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => sign({ sub: `user-${i}` }, now, now + 600_000)));
    for (const round of [0, 1]) {
      for (let i = 0; i < tokens.length; i++) expect((await verifier.verify(tokens[i], now + round)).sub).toBe(`user-${i}`);
    }
  });
});
