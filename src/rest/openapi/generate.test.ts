import { parse } from 'graphql';
import { compileRestDescription } from '../compile';
import { generateRestDescription } from './generate';
import { camelCase, pascalCase } from './names';

const doc = (paths: Record<string, unknown>, schemas: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  openapi: '3.0.3',
  info: { title: 'T', version: '1' },
  servers: [{ url: 'https://api.example.com/v2/' }],
  paths,
  components: { schemas },
  ...extra,
});
const ok = (schema: unknown) => ({ '200': { description: 'ok', content: { 'application/json': { schema } } } });

function generate(document: Record<string, unknown>) {
  const out = generateRestDescription(document, { name: 'api' });
  const compiled = compileRestDescription(out.sdl);
  if (!compiled.ok) throw new Error(`${JSON.stringify(compiled.problems)}\n${out.sdl}`);
  return out;
}

describe('names', () => {
  it.each([
    ['amount_cents', 'amountCents'],
    ['x-rate-limit', 'xRateLimit'],
    ['ID', 'id'],
    ['petId', 'petId'],
    ['HTTPStatus', 'httpStatus'],
    ['2fa', '_2fa'],
    ['@type', 'type'],
    ['', '_'],
    ['日本', '_'],
  ])('camelCase(%j) = %j', (input, expected) => expect(camelCase(input)).toBe(expected));

  it.each([
    ['pet_store', 'PetStore'],
    ['String', 'StringType'],
    ['Query', 'QueryType'],
    ['3d-model', 'T3dModel'],
    ['_Service', 'Service'],
  ])('pascalCase(%j) = %j', (input, expected) => expect(pascalCase(input)).toBe(expected));
});

describe('generateRestDescription', () => {
  it('maps snake_case keys, required and nullable (3.0 nullable, 3.1 type arrays), enums and $refs', () => {
    const { sdl } = generate(
      doc(
        { '/pets/{pet_id}': { get: { operationId: 'get_pet', parameters: [{ name: 'pet_id', in: 'path', required: true, schema: { type: 'integer' } }], responses: ok({ $ref: '#/components/schemas/Pet' }) } } },
        {
          Pet: {
            type: 'object',
            required: ['pet_id', 'name', 'nick', 'tag'],
            properties: {
              pet_id: { type: 'integer', format: 'int64' },
              name: { type: 'string' },
              nick: { type: 'string', nullable: true },
              tag: { type: ['string', 'null'] },
              status: { type: 'string', enum: ['available', 'sold'] },
              odd: { type: 'string', enum: ['in stock', 'gone'] },
              owner: { $ref: '#/components/schemas/Owner' },
            },
          },
          Owner: { type: 'object', properties: { full_name: { type: 'string' } } },
        },
      ),
    );
    expect(sdl).toContain('getPet(\n    petId: Int!\n  ): Pet');
    expect(sdl).toContain('http: { GET: "/pets/{$args.petId}" }');
    expect(sdl).toContain('selection: "petId: pet_id name nick tag status odd owner { fullName: full_name }"');
    expect(sdl).toMatch(/type Pet \{\n {2}petId: Float!\n {2}name: String!\n {2}nick: String\n {2}tag: String\n {2}status: PetStatus\n {2}odd: String\n {2}owner: Owner\n\}/);
    expect(sdl).toContain('enum PetStatus {\n  available\n  sold\n}');
    expect(sdl).toContain('baseURL: "${env.API_URL:-https://api.example.com/v2}"');
  });

  it('writes PUT/PATCH/DELETE as mutations with their bodies', () => {
    const { sdl, notes } = generate(
      doc(
        {
          '/things': { get: { operationId: 'list', responses: ok({ type: 'array', items: { $ref: '#/components/schemas/Thing' } }) } },
          '/things/{id}': { put: { operationId: 'replace', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } }, responses: ok({ $ref: '#/components/schemas/Thing' }) } },
        },
        { Thing: { type: 'object', properties: { id: { type: 'string' } } } },
      ),
    );
    expect(sdl).toMatch(/^type Mutation \{/m);
    expect(sdl).toContain('    http: { PUT: "/things/{$args.id}", body: "$args.input { id }" }');
    expect(sdl).not.toContain('# type Mutation');
    expect(notes.filter((n) => n.includes('commented out'))).toEqual([]);
  });

  it('survives hostile names: keys GraphQL cannot spell, quotes, reserved type names, """ in descriptions', () => {
    const { sdl } = generate(
      doc(
        {
          '/q': {
            get: {
              summary: 'ends with """ and \\ backslash',
              parameters: [
                { name: 'page[size]', in: 'query', schema: { type: 'integer' } },
                { name: 'X-Trace', in: 'header', schema: { type: 'string' } },
              ],
              responses: ok({ $ref: '#/components/schemas/Query' }),
            },
          },
        },
        {
          Query: {
            type: 'object',
            description: 'has """ inside',
            properties: { '@type': { type: 'string' }, 'a b': { type: 'string' }, "it's": { type: 'string' }, 'say "hi"': { type: 'string' }, both: { type: 'string' }, 'q"\'': { type: 'string' }, '': { type: 'string' } },
          },
        },
      ),
    );
    expect(sdl).toContain('type QueryType {');
    expect(sdl).toContain('type: \\"@type\\"');
    expect(sdl).toContain("itS: \\\"it's\\\"");
    expect(sdl).toContain("sayHi: 'say \\\"hi\\\"'");
    expect(sdl).toContain('# not mapped: "q\\"\'": a key the selection language cannot quote');
    expect(sdl).toContain('?page%5Bsize%5D={$args.pageSize}');
    expect(() => parse(sdl)).not.toThrow();
  });

  it('merges allOf (later parts refine earlier ones), reads oneOf-with-null as nullable, merges object oneOfs, skips free-form maps', () => {
    const { sdl } = generate(
      doc(
        { '/x': { get: { operationId: 'x', responses: ok({ allOf: [{ $ref: '#/components/schemas/Envelope' }, { properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Item' } } } }] }) } } },
        {
          Envelope: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: { type: 'object' } }, links: { type: 'object', additionalProperties: { type: 'string' } } } },
          Item: { type: 'object', properties: { maybe: { oneOf: [{ type: 'string' }, { type: 'null' }] }, shape: { oneOf: [{ type: 'object', properties: { r: { type: 'number' } } }, { type: 'object', properties: { w: { type: 'number' } } }] }, mixed: { oneOf: [{ type: 'string' }, { type: 'object', properties: { a: { type: 'string' } } }] } } },
        },
      ),
    );
    expect(sdl).toContain('selection: "data { maybe shape { r w } }"');
    expect(sdl).toContain('data: [Item!]!');
    expect(sdl).toContain('# not mapped: links: a free-form map (no named properties)');
    expect(sdl).toContain('# not mapped: mixed: a oneOf/anyOf of unlike types');
  });

  it('cuts selections at cycles and makes the cut fields nullable; breaks non-null input cycles', () => {
    const { sdl } = generate(
      doc(
        {
          '/nodes/{id}': { get: { operationId: 'node', responses: ok({ $ref: '#/components/schemas/Node' }) } },
          '/nodes': { post: { operationId: 'add', requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } }, responses: ok({ $ref: '#/components/schemas/Node' }) } },
        },
        { Node: { type: 'object', required: ['id', 'parent'], properties: { id: { type: 'string' }, parent: { $ref: '#/components/schemas/Node' } } } },
      ),
    );
    // One level of self-reference is followed (the parent's id); the next is cut, so Node.parent is nullable.
    expect(sdl).toContain('selection: "id parent { id }"');
    expect(sdl).toMatch(/type Node \{\n {2}id: String!\n {2}parent: Node\n\}/);
    expect(sdl).toMatch(/input NodeInput \{\n {2}id: String!\n {2}parent: NodeInput\n\}/);
    // A path variable no parameter declares is still a required string argument.
    expect(sdl).toContain('node(\n    id: String!\n  ): Node');
  });

  it('sends a list query parameter as a repeated parameter through http.queryParams; one it cannot name is noted', () => {
    const { sdl, notes } = generate(
      doc({
        '/pets': { get: { operationId: 'findPets', parameters: [{ name: 'tag', in: 'query', schema: { type: 'array', items: { type: 'string' } } }, { name: 'tag[]', in: 'query', schema: { type: 'array', items: { type: 'string' } } }], responses: ok({ type: 'string' }) } },
      }),
    );
    expect(sdl).toContain('http: { GET: "/pets", queryParams: "tag: $args.tag" }');
    expect(notes).toEqual(['GET /pets: query parameter "tag[]" is a list of objects, or a list whose name is not a GraphQL name (http.queryParams cannot name it) — not mapped']);
    expect(compileRestDescription(sdl)).toMatchObject({ ok: true });
  });

  it('notes what it leaves out: non-JSON bodies and responses, object query parameters, cookie parameters', () => {
    const { notes } = generate(
      doc({
        '/a': { get: { operationId: 'a', parameters: [{ name: 'ids', in: 'query', schema: { type: 'object', properties: { a: { type: 'string' } } } }, { name: 's', in: 'cookie', schema: { type: 'string' } }], responses: ok({ type: 'string' }) } },
        '/b': { post: { operationId: 'b', requestBody: { content: { 'multipart/form-data': { schema: { type: 'object' } } } }, responses: ok({ type: 'string' }) } },
        '/c': { get: { operationId: 'c', responses: { '204': { description: 'none' } } } },
      }),
    );
    expect(notes).toEqual([
      'GET /a: query parameter "ids" is an object — not mapped',
      'GET /a: cookie parameter "s" not mapped (fixed headers go in @restSource/@rest headers; client headers through tollgate.yaml header rules)',
      'POST /b: request body is not JSON (multipart/form-data) — not imported',
      'GET /c: no JSON success response (2xx with application/json) — not imported',
    ]);
  });

  it('refuses Swagger 2.0, and a document without a usable GET still compiles (with a placeholder)', () => {
    expect(() => generateRestDescription({ swagger: '2.0' }, { name: 'x' })).toThrow(/swagger: 2\.0/);
    const { sdl, notes } = generate(doc({}));
    expect(sdl).toContain('_placeholder: String');
    expect(notes).toContain('no GET operation could be imported: Query has only a placeholder field, replace it');
  });

  it('always compiles, whatever the property names and shapes (generated documents)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const keys = ['id', 'a_b', 'A-B', '1x', '@x', 'x y', 'é', '__typename', 'query', 'String', '$ref', 'data', 'data ', "o'k", 'null', 'true'];
    const leaf = (): Record<string, unknown> => pick([{ type: 'string' }, { type: 'integer' }, { type: 'number', nullable: true }, { type: ['boolean', 'null'] }, { type: 'string', enum: [pick(keys), pick(keys)] }, { type: 'array', items: { type: 'string' } }, {}]);
    const object = (depth: number): Record<string, unknown> => {
      const properties: Record<string, unknown> = {};
      for (let i = 0; i < 4; i++) properties[pick(keys)] = depth > 0 && random() < 0.4 ? pick([object(depth - 1), { type: 'array', items: object(depth - 1) }, { $ref: `#/components/schemas/${pick(['S0', 'S1', 'S2'])}` }]) : leaf();
      return { type: 'object', required: [pick(keys)], properties };
    };
    for (let round = 0; round < 60; round++) {
      const schemas = { S0: object(2), S1: object(2), S2: object(1) };
      const paths = { [`/${pick(keys)}/{${pick(keys)}}`]: { get: { operationId: pick(keys), responses: ok(pick([{ $ref: '#/components/schemas/S0' }, { type: 'array', items: { $ref: '#/components/schemas/S1' } }, object(2)])) }, post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/S2' } } } }, responses: ok({ $ref: '#/components/schemas/S0' }) } } };
      generate(doc(paths, schemas));
    }
  });
});
