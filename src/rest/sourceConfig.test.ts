import { ANONYMOUS, type Principal } from '../identity/principal';
import { compileSourceConfig, restFingerprintRules } from './sourceConfig';

const caller: Principal = { kind: 'jwt', key: 'k', authenticated: true, subject: 'u1', client: 'app', plan: 'pro', scopes: new Set(['b', 'a']), claims: { sub: 'u1', tenant: 't1', roles: ['x', 'y'], obj: { a: 1 } } };

describe('compileSourceConfig', () => {
  it('runs header rules and claims in order; forwardClaims first; a claim header never comes from the client', () => {
    const compiled = compileSourceConfig(
      {
        config: { a: 1 },
        headers: [{ propagate: { named: 'x-role' } }, { claim: { name: 'roles', header: 'x-role' } }, { claim: { name: 'obj', header: 'x-obj' } }, { insert: { name: 'x-fixed', value: 'v' } }],
        contextHeaders: [],
      },
      { sub: 'x-user-id' },
    );
    const out = compiled.headers({ 'x-role': 'client-says-admin', 'x-user-id': 'evil' }, caller, { 'x-user-id': 'evil' });
    expect(out).toEqual({ 'x-user-id': 'u1', 'x-role': 'x y', 'x-obj': '{"a":1}', 'x-fixed': 'v' });
    expect(compiled.headers({ 'x-role': 'client-says-admin' }, ANONYMOUS, { 'x-user-id': 'evil' })).toEqual({ 'x-fixed': 'v' });
    expect(compiled.config).toEqual({ a: 1 });
  });

  it('$context: the caller, and only the headers the source allows', () => {
    const compiled = compileSourceConfig({ config: {}, headers: [], contextHeaders: ['x-channel'] });
    expect(compiled.context({ 'x-channel': 'web', cookie: 'secret' }, caller)).toEqual({
      subject: 'u1',
      client: 'app',
      plan: 'pro',
      kind: 'jwt',
      authenticated: true,
      scopes: ['a', 'b'],
      claims: caller.claims,
      headers: { 'x-channel': 'web' },
    });
    expect(compiled.context({}, undefined)).toMatchObject({ subject: null, authenticated: false, headers: { 'x-channel': null } });
  });

  it('inbound deduplication keys on the headers a source propagates or lets $context read', () => {
    expect(restFingerprintRules({ s: { config: {}, headers: [{ propagate: { named: 'x-a' } }, { claim: { name: 'c', header: 'x-c' } }], contextHeaders: ['x-b'] } })).toEqual([
      [{ propagate: { named: 'x-a' } }, { propagate: { named: 'x-b' } }],
    ]);
  });
});
