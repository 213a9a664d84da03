import { compileHeaderFingerprint, compileHeaderRules } from './headerRules';

describe('compileHeaderRules', () => {
  const incoming = { 'x-tenant': 'acme', 'x-trace-a': '1', 'x-trace-b': '2', authorization: 'Bearer t', host: 'gw', 'content-length': '10' };

  it('sends nothing without rules', () => {
    expect(compileHeaderRules([])(incoming)).toEqual({});
  });

  it('propagates, renames, defaults, inserts and removes in order', () => {
    const plan = compileHeaderRules([
      { propagate: { named: 'x-tenant', rename: 'x-tenant-id' } },
      { propagate: { named: 'x-missing', default: 'fallback' } },
      { propagate: { matching: /^x-trace-/i } },
      { insert: { name: 'x-gateway', value: 'tollgate' } },
      { remove: { named: 'x-trace-b' } },
    ]);
    expect(plan(incoming)).toEqual({ 'x-tenant-id': 'acme', 'x-missing': 'fallback', 'x-trace-a': '1', 'x-gateway': 'tollgate' });
  });

  it('never propagates hop-by-hop or framing headers', () => {
    expect(compileHeaderRules([{ propagate: { matching: /.*/ } }])(incoming)).toEqual({
      'x-tenant': 'acme',
      'x-trace-a': '1',
      'x-trace-b': '2',
      authorization: 'Bearer t',
    });
  });

  it('removes by pattern', () => {
    const plan = compileHeaderRules([{ propagate: { matching: /^x-/i } }, { remove: { matching: /^x-trace/i } }]);
    expect(plan(incoming)).toEqual({ 'x-tenant': 'acme' });
  });
});

describe('compileHeaderFingerprint', () => {
  it('is empty when nothing is propagated', () => {
    expect(compileHeaderFingerprint([[{ insert: { name: 'a', value: 'b' } }]])({ 'x-a': '1' })).toBe('');
  });

  it('differs exactly when a propagated header differs', () => {
    const fingerprint = compileHeaderFingerprint([[{ propagate: { named: 'x-tenant' } }], [{ propagate: { matching: /^x-user/i } }]]);
    const a = fingerprint({ 'x-tenant': 'a', 'x-user-id': '1', 'x-other': 'q' });
    expect(fingerprint({ 'x-tenant': 'a', 'x-user-id': '1', 'x-other': 'z' })).toBe(a);
    expect(fingerprint({ 'x-tenant': 'b', 'x-user-id': '1' })).not.toBe(a);
    expect(fingerprint({ 'x-tenant': 'a', 'x-user-id': '2' })).not.toBe(a);
  });

  it('keeps apart an absent and an empty header, and values that contain a boundary', () => {
    const fingerprint = compileHeaderFingerprint([[{ propagate: { named: 'x-a' } }, { propagate: { matching: /^x-m/ } }]]);
    expect(fingerprint({})).not.toBe(fingerprint({ 'x-a': '' }));
    expect(fingerprint({ 'x-a': '1\nx-mb:2' })).not.toBe(fingerprint({ 'x-a': '1', 'x-mb': '2' }));
    expect(fingerprint({ 'x-ma': '1', 'x-mb': '' })).not.toBe(fingerprint({ 'x-ma': '1x-mb:' }));
  });
});
