// deepMerge takes keys from subgraph answers, which carry the client's aliases: no key may reach a prototype.
import { deepMerge } from './entities';

describe('deepMerge with hostile response names', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('`constructor` → `prototype` stays in the answer (never Object.prototype)', () => {
    const target: Record<string, unknown> = {};
    deepMerge(target, JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(target).toEqual(JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'));
  });

  it('`__proto__` stays an own key', () => {
    const target: Record<string, unknown> = {};
    deepMerge(target, JSON.parse('{"__proto__":{"polluted":"yes"}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(target, '__proto__')).toBe(true);
  });
});
