// The one @link rename resolution: imports (with and without `as`), the namesake rule, `as:` prefixes, and the
// REST spec's bare unimported names; hostile links (no url, odd imports) resolve to nothing or the defaults.
import { parse } from 'graphql';
import { findLink, linkedName, SPEC_URLS } from './specLinks';

const doc = (links: string) => parse(`extend schema ${links}\ntype Query { a: Int }`);

describe('findLink', () => {
  it('finds the first link of a spec, any version, and ignores others', () => {
    const document = doc('@link(url: "https://specs.apollo.dev/federation/v2.9") @link(url: "https://specs.apollo.dev/cost/v0.1", as: "c")');
    expect(findLink(document, 'cost')).toMatchObject({ url: 'https://specs.apollo.dev/cost/v0.1', as: 'c' });
    expect(findLink(document, 'rateLimit')).toBeUndefined();
  });

  it('needs a string url at the start: a look-alike is not the spec', () => {
    expect(findLink(doc('@link(url: 3)'), 'cost')).toBeUndefined();
    expect(findLink(doc('@link(url: "https://evil.example/https://specs.apollo.dev/cost/v0.1")'), 'cost')).toBeUndefined();
    expect(findLink(doc('@link(url: "https://specs.apollo.dev/costly/v0.1")'), 'cost')).toBeUndefined();
  });

  it('knows a URL for every spec it reads', () => {
    for (const url of Object.values(SPEC_URLS)) expect(url).toMatch(/^https:\/\//);
  });
});

describe('linkedName', () => {
  const name = (links: string, spec: keyof typeof SPEC_URLS, directive: `@${string}`, specName: string, bare = false) =>
    linkedName(findLink(doc(links), spec)!, directive, specName, { bareWhenUnimported: bare });

  it.each([
    ['@link(url: "https://specs.apollo.dev/cost/v0.1")', '@cost', 'cost'],
    ['@link(url: "https://specs.apollo.dev/cost/v0.1", as: "price")', '@cost', 'price'],
    ['@link(url: "https://specs.apollo.dev/cost/v0.1")', '@listSize', 'cost__listSize'],
    ['@link(url: "https://specs.apollo.dev/cost/v0.1", as: "price")', '@listSize', 'price__listSize'],
    ['@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])', '@listSize', 'listSize'],
    ['@link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@listSize", as: "@size" }])', '@listSize', 'size'],
    ['@link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@listSize" }])', '@listSize', 'listSize'],
    ['@link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: 3 }, null, "@other"])', '@listSize', 'cost__listSize'],
  ] as const)('%s: %s is @%s', (links, directive, expected) => {
    expect(name(links, 'cost', directive, 'cost')).toBe(expected);
  });

  it('resolves @rateLimit as its spec namesake when not imported, and its import rename when it is', () => {
    expect(name('@link(url: "https://tollgate.dev/rateLimit/v1.0")', 'rateLimit', '@rateLimit', 'rateLimit')).toBe('rateLimit');
    expect(name('@link(url: "https://tollgate.dev/rateLimit/v1.0", as: "rl")', 'rateLimit', '@rateLimit', 'rateLimit')).toBe('rl');
    expect(name('@link(url: "https://tollgate.dev/rateLimit/v1.0", import: [{ name: "@rateLimit", as: "@throttle" }])', 'rateLimit', '@rateLimit', 'rateLimit')).toBe('throttle');
  });

  it("keeps the REST spec's bare names for unimported directives", () => {
    expect(name('@link(url: "https://specs.tollgate.dev/rest/v0.1")', 'rest', '@restSource', 'rest', true)).toBe('restSource');
    expect(name('@link(url: "https://specs.tollgate.dev/rest/v0.1", import: [{ name: "@rest", as: "@http" }])', 'rest', '@rest', 'rest', true)).toBe('http');
  });
});
