import { claimHeaderValue, forwardClaims } from './forwardClaims';

describe('forwarded claims', () => {
  it('encodes every kind of claim value one way', () => {
    expect(claimHeaderValue('alice')).toBe('alice');
    expect(claimHeaderValue(42)).toBe('42');
    expect(claimHeaderValue(true)).toBe('true');
    expect(claimHeaderValue(['read', 'write'])).toBe('read write');
    expect(claimHeaderValue({ tenant: 'acme', roles: ['a'] })).toBe('{"tenant":"acme","roles":["a"]}');
    expect(claimHeaderValue([{ a: 1 }, 'b'])).toBe('{"a":1} b');
    expect(claimHeaderValue(null)).toBeUndefined();
    expect(claimHeaderValue(undefined)).toBeUndefined();
  });

  it('removes a client-sent header named like a claim header, claim or not', () => {
    const headers: Record<string, string | string[]> = { 'x-user': 'forged', 'x-tenant': 'forged', other: 'kept' };
    forwardClaims(headers, { sub: 'x-user', tenant: 'x-tenant' }, { sub: 'alice' });
    expect(headers).toEqual({ 'x-user': 'alice', other: 'kept' });
  });
});
