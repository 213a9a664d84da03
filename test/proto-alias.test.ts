// A response name is the client's choice, and `__proto__` is a valid GraphQL alias. Wherever Tollgate writes into a
// response by response name (merging subgraph answers, shaping, nulling fields a policy removed), that name must stay
// an ordinary key: never the object's prototype, never Object.prototype.
import { startExampleGateway, type ExampleGateway } from './fixtures/exampleGateway';
import { postJson } from './harness';

const QUERIES = [
  // A policy-removed field (anonymous `email`) under a parent aliased `__proto__`.
  '{ __proto__: topProducts(first: 2) { name reviews { author { name email } } } }',
  // A policy-removed field aliased `__proto__` itself.
  '{ topProducts(first: 1) { reviews { author { name __proto__: email } } } }',
  // Aliases on entity fields fetched from other subgraphs, and on a key.
  '{ topProducts(first: 2) { __proto__: upc inStock reviews { __proto__: body } } }',
  // `constructor` then `prototype`: a plain read would reach Object, then Object.prototype.
  '{ constructor: topProducts(first: 2) { prototype: reviews { polluted: body author { email } } inStock } }',
  '{ topProducts(first: 2) { constructor: reviews { prototype: author { polluted: name email } } inStock } }',
];

describe.each(['apollo', 'tollgate'] as const)('__proto__ as a response name (executor: %s)', (executor) => {
  let example: ExampleGateway;
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    example = await startExampleGateway({ tweak: (config) => ((config as { executor: string }).executor = executor) });
  });
  afterAll(async () => {
    await example?.close();
  });

  it.each(QUERIES)('%s: an ordinary key in the answer, Object.prototype untouched', async (query) => {
    const reply = await postJson(example.gateway.url, { query });
    expect(reply.status).toBe(200);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    expect(({} as Record<string, unknown>).email).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The raw text keeps the key (a JSON.parse'd `__proto__` is an own property, so the parsed answer has it too).
    if (query.includes('__proto__')) {
      expect(reply.text).toContain('"__proto__":');
      expect(hasOwnProtoKey(reply.json.data)).toBe(true);
    } else {
      expect(reply.text).toContain('"prototype":');
    }
    for (const error of reply.json.errors ?? []) expect(error.extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });
});

/** Some object in the tree has `__proto__` as an own key. */
function hasOwnProtoKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasOwnProtoKey);
  if (value === null || typeof value !== 'object') return false;
  return Object.hasOwn(value, '__proto__') || Object.values(value).some(hasOwnProtoKey);
}
