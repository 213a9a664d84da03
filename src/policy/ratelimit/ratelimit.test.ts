// Rate limits, pure parts: @rateLimit composed into a real supergraph (custom @link + @composeDirective) and read
// back, rules merged with config per plan, keys, fixed windows, decisions and RateLimit-* headers.
import { parse, buildSchema, type OperationDefinitionNode } from 'graphql';
import { composeSupergraph } from '../../compose/compose';
import { validateSupergraphSdl } from '../../compose/validateSupergraph';
import { buildConfig } from '../../config/load';
import { walkOperation } from '../walk';
import { callsOf, clientKeyPrefix, decideRateLimit, fixedWindow, rateLimitHeaders, rateLimitKey } from './decide';
import { readRateLimitDirectives } from './directives';
import { limitedOccurrences, RateLimitRules, type RateLimitRule } from './rules';

const RATE_LIMIT_DEFINITION = `
  directive @rateLimit(max: Int, window: String, message: String, identityArgs: [String], arrayLengthField: String, uncountRejected: Boolean) on FIELD_DEFINITION
`;
const SDL = `
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@composeDirective"])
    @link(url: "https://tollgate.dev/rateLimit/v1.0", import: ["@rateLimit"])
    @composeDirective(name: "@rateLimit")
  ${RATE_LIMIT_DEFINITION}
  type Query {
    search(term: String!, input: SearchInput): [Item] @rateLimit(max: 10, window: "1m", identityArgs: ["term", "input.page"])
    items(ids: [ID!]!): [Item] @rateLimit(max: 5, window: "10s", arrayLengthField: "ids", uncountRejected: true, message: "slow down")
    node: Node
  }
  type Mutation { search(term: String!): Int @rateLimit(max: 2, window: "1h") }
  input SearchInput { page: Int }
  interface Node { id: ID! label: String }
  type Item implements Node @key(fields: "id") { id: ID! label: String @rateLimit(max: 1, window: "1s") }
  type Other implements Node { id: ID! label: String }
`;

const composed = composeSupergraph([{ name: 'catalog', url: 'http://catalog', sdl: SDL }]);
if (!composed.ok) throw new Error(JSON.stringify(composed.errors));
const supergraphSdl = composed.supergraphSdl;

describe('@rateLimit through composition', () => {
  it('survives composition, and @apollo/gateway still loads the supergraph', () => {
    expect(supergraphSdl).toContain('@link(url: "https://tollgate.dev/rateLimit/v1.0", import: ["@rateLimit"])');
    expect(supergraphSdl).toContain('@rateLimit(max: 10, window: "1m", identityArgs: ["term", "input.page"])');
    expect(validateSupergraphSdl(supergraphSdl)).toEqual({ ok: true });
  });

  it('is read per coordinate, Query.search apart from Mutation.search', () => {
    const { fields, problems } = readRateLimitDirectives(supergraphSdl);
    expect(problems).toEqual([]);
    expect(fields.get('Query.search')).toEqual({ max: 10, windowMs: 60_000, identityArgs: ['term', 'input.page'], arrayLengthField: undefined, uncountRejected: undefined, message: undefined });
    expect(fields.get('Mutation.search')).toMatchObject({ max: 2, windowMs: 3_600_000 });
    expect(fields.get('Query.items')).toMatchObject({ arrayLengthField: 'ids', uncountRejected: true, message: 'slow down' });
  });

  it('honours a renamed import', () => {
    const renamed = composeSupergraph([
      {
        name: 's',
        url: 'http://s',
        sdl: `extend schema
          @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@composeDirective"])
          @link(url: "https://tollgate.dev/rateLimit/v1.0", import: [{ name: "@rateLimit", as: "@throttle" }])
          @composeDirective(name: "@throttle")
          directive @throttle(max: Int, window: String) on FIELD_DEFINITION
          type Query { a: Int @throttle(max: 3, window: "5s") }`,
      },
    ]);
    if (!renamed.ok) throw new Error(JSON.stringify(renamed.errors));
    expect(readRateLimitDirectives(renamed.supergraphSdl).fields.get('Query.a')).toMatchObject({ max: 3, windowMs: 5000 });
  });
});

describe('RateLimitRules', () => {
  const { fields } = readRateLimitDirectives(supergraphSdl);
  const config = buildConfig(
    {
      rateLimits: {
        fields: {
          'Query.search': { plans: { anonymous: { max: 2 }, pro: 'unlimited' } },
          'Query.node': { max: 100, window: '1m', plans: { free: { max: 50, window: '10s' } } },
          'Query.nothere': { max: 1, window: '1s' },
        },
      },
    },
    { baseDir: '/' },
  );
  const rules = new RateLimitRules(fields, config.rateLimits.fields, (c) => c !== 'Query.nothere');

  it('merges config over the directive, per plan', () => {
    expect(rules.forPlan('Query.search', 'free')).toMatchObject({ max: 10, windowMs: 60_000, identityArgs: ['term', 'input.page'] });
    expect(rules.forPlan('Query.search', 'anonymous')).toMatchObject({ max: 2, windowMs: 60_000 });
    expect(rules.forPlan('Query.search', 'pro')).toBeUndefined();
    expect(rules.forPlan('Query.node', 'free')).toMatchObject({ max: 50, windowMs: 10_000 });
    expect(rules.forPlan('Query.node', 'pro')).toMatchObject({ max: 100, windowMs: 60_000 });
    expect(rules.forPlan('Query.unknown', 'free')).toBeUndefined();
  });

  it('reports config entries that cannot apply', () => {
    expect(rules.problems).toEqual(['rateLimits.fields["Query.nothere"]: no such field in the supergraph']);
  });

  it('finds limited occurrences, including implementations of an interface field', () => {
    const api = buildSchema(`
      type Query { search(term: String!, input: SearchInput): [Item] items(ids: [ID!]!): [Item] node: Node }
      input SearchInput { page: Int }
      interface Node { id: ID! label: String }
      type Item implements Node { id: ID! label: String }
      type Other implements Node { id: ID! label: String }
    `);
    const document = parse('{ a: search(term: "x") { id } b: search(term: "y") { label } node { label } }');
    const walk = walkOperation(api, document, document.definitions[0] as OperationDefinitionNode, {});
    const limited = limitedOccurrences(walk.occurrences, rules);
    expect(limited.map((l) => [l.occurrence.segments.map((s) => s.key).join('.'), l.coordinates])).toEqual([
      ['a', ['Query.search']],
      ['b', ['Query.search']],
      ['b.label', ['Item.label']],
      ['node', ['Query.node']],
      ['node.label', ['Item.label']],
    ]);
  });
});

describe('decisions, keys and headers', () => {
  const rule: RateLimitRule = { coordinate: 'Query.search', max: 3, windowMs: 60_000, identityArgs: ['term'], uncountRejected: false };

  it('aligns fixed windows to the epoch', () => {
    expect(fixedWindow(60_000, 120_000)).toEqual({ index: 2, end: 180_000 });
    expect(fixedWindow(60_000, 179_999)).toEqual({ index: 2, end: 180_000 });
    expect(fixedWindow(60_000, 180_000)).toEqual({ index: 3, end: 240_000 });
  });

  it('keys by client (as a Cluster hash tag), coordinate, window, identity arguments', () => {
    const prefix = clientKeyPrefix('tg:', 'sub:{evil}');
    expect(prefix).toBe('tg:{sub:%7Bevil%7D}');
    const window = fixedWindow(60_000, 0);
    expect(rateLimitKey(prefix, rule, { term: 'x' }, window)).toBe('tg:{sub:%7Bevil%7D}:rl:Query.search:60000:["x"]:0');
    expect(rateLimitKey(prefix, { ...rule, coordinate: 'Mutation.search' }, { term: 'x' }, window)).not.toBe(rateLimitKey(prefix, rule, { term: 'x' }, window));
    expect(rateLimitKey(prefix, rule, { term: 'y' }, window)).not.toBe(rateLimitKey(prefix, rule, { term: 'x' }, window));
    expect(rateLimitKey(prefix, { ...rule, identityArgs: [] }, { term: 'x' }, window)).toBe('tg:{sub:%7Bevil%7D}:rl:Query.search:60000::0');
    expect(rateLimitKey(prefix, rule, { term: 'x'.repeat(500) }, window)).toMatch(/:#[\w-]{43}:0$/);
  });

  it('counts a batch field by its list argument', () => {
    expect(callsOf({ ...rule, arrayLengthField: 'ids' }, { ids: [1, 2, 3] })).toBe(3);
    expect(callsOf({ ...rule, arrayLengthField: 'ids' }, {})).toBe(1);
    expect(callsOf(rule, { ids: [1, 2] })).toBe(1);
  });

  it('decides from the store’s count: the max-th passes, the next does not', () => {
    const window = fixedWindow(60_000, 30_000);
    expect(decideRateLimit(rule, { count: 3, admitted: true }, window, 30_000)).toMatchObject({ allowed: true, remaining: 0, resetSeconds: 30 });
    expect(decideRateLimit(rule, { count: 4, admitted: false }, window, 30_000)).toMatchObject({ allowed: false, remaining: 0 });
    expect(decideRateLimit(rule, { count: 1, admitted: true }, window, 59_999).resetSeconds).toBe(1);
  });

  it('reports the tightest limit in RateLimit-* and Retry-After only when refused', () => {
    const headers = rateLimitHeaders(
      [
        { limit: 10, remaining: 7, resetSeconds: 20, windowMs: 60_000 },
        { limit: 3, remaining: 0, resetSeconds: 5, windowMs: 10_000 },
      ],
      true,
    );
    expect(Object.fromEntries(headers)).toEqual({ 'ratelimit-limit': '3', 'ratelimit-remaining': '0', 'ratelimit-reset': '5', 'ratelimit-policy': '10;w=60, 3;w=10', 'retry-after': '5' });
    expect(rateLimitHeaders([{ limit: 10, remaining: 7, resetSeconds: 20, windowMs: 60_000 }], false).map(([name]) => name)).not.toContain('retry-after');
  });
});
