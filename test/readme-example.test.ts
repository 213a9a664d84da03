// The README's first example, against the example subgraphs as `npm start` runs them (src/cli/dev.ts): the answer
// printed in the README is the answer given, @requires (shippingEstimate) included.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEV_SUBGRAPHS } from '../src/cli/dev';
import { startExampleSubgraphs, type ExampleSubgraphs } from '../subgraphs';
import { composeExampleSupergraph, startExampleGateway } from './fixtures/exampleGateway';
import { http, postJson, startTestGateway } from './harness';

let subgraphs: ExampleSubgraphs;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  subgraphs = await startExampleSubgraphs(DEV_SUBGRAPHS);
  // As `npm start` does: the REST description's baseURL reads PRICING_URL when the gateway loads it.
  for (const [name, url] of Object.entries(subgraphs.urls)) process.env[`${name.toUpperCase()}_URL`] = url;
  gateway = await startTestGateway(await composeExampleSupergraph(subgraphs));
});

afterAll(async () => {
  await gateway?.close();
  await subgraphs?.close();
});

it('answers the first README example exactly as the README shows', async () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const query = /-d '(\{"query":"\{ topProducts\(first: 2\)[^']*)'/.exec(readme)?.[1];
  const shown = /```json\n(\{"data":\{"topProducts".*)\n```/.exec(readme)?.[1];
  expect(query).toBeDefined();
  expect(shown).toBeDefined();
  const reply = await postJson(gateway.url, query!);
  expect(reply.text.trimEnd()).toBe(shown);
  expect(JSON.parse(shown!).data.topProducts.map((p: { shippingEstimate: unknown }) => p.shippingEstimate)).toEqual([50, 0]);
});

describe('the README APQ example, against the example config (`npm start`)', () => {
  let example: Awaited<ReturnType<typeof startExampleGateway>>;
  beforeAll(async () => {
    example = await startExampleGateway();
  });
  afterAll(async () => {
    await example?.close();
  });

  it('answers the three requests as the README shows', async () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Persisted operations'));
    const apq = /APQ='([^']+)'/.exec(section)![1];
    const query = /\\"query\\":\\"([^\\]+)\\"/.exec(section)![1];
    const shown = /```json\n([\s\S]*?)\n```/.exec(section)![1].split('\n');
    const url = example.gateway.url;
    const get = () => http(`${url}?extensions=${encodeURIComponent(apq)}`, { headers: { 'apollo-require-preflight': 'true' } });
    const answers = [await get(), await postJson(url, { query, extensions: JSON.parse(apq) }), await get()];
    expect(answers.map((a) => a.text.trimEnd())).toEqual(shown);
    expect(JSON.parse(apq).persistedQuery.sha256Hash).toBe(createHash('sha256').update(query).digest('hex'));
  });
});

it('answers the README REST mutation exactly as the README shows', async () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const query = /-d '(\{"query":"mutation \{ createPriceOverride[^']*)'/.exec(readme)?.[1];
  const shown = /```json\n(\{"data":\{"createPriceOverride".*)\n```/.exec(readme)?.[1];
  expect(query).toBeDefined();
  expect(shown).toBeDefined();
  const reply = await postJson(gateway.url, query!);
  expect(reply.text.trimEnd()).toBe(shown);
});

describe('the README @defer example, against the example config (`npm start`)', () => {
  let example: Awaited<ReturnType<typeof startExampleGateway>>;
  beforeAll(async () => {
    // As `npm start` runs them: inventory computes shippingEstimate from the @requires fields.
    example = await startExampleGateway({ subgraphs: DEV_SUBGRAPHS });
  });
  afterAll(async () => {
    await example?.close();
  });

  it('streams the parts the README shows, and the whole answer without multipart', async () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## @defer'));
    const accept = /-H 'accept: ([^']+)'/.exec(section)![1];
    const body = /-d '(\{"query":"\{ topProducts[^']*)'/.exec(section)![1];
    const shown = /```text\n([\s\S]*?)\n```/.exec(section)![1];
    const response = await fetch(example.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body });
    expect(response.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";deferSpec=20220824');
    // The wire has CRLF line ends and a leading CRLF before the first delimiter; the README shows the lines.
    const text = await response.text();
    expect(text.startsWith('\r\n')).toBe(true);
    expect(text.slice(2).replace(/\r\n/g, '\n').trimEnd()).toBe(shown);
    // Cost: charged once for the whole operation, measured over every piece, reported in the last part.
    const withCost = await fetch(example.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ ...JSON.parse(body), extensions: { cost: true } }) });
    const parts = (await withCost.text()).split('\r\n--graphql').filter((p) => p.includes('{')).map((p) => JSON.parse(p.slice(p.indexOf('{'))) as { hasNext: boolean; extensions?: { cost?: { estimated: number; actual: number } } });
    const last = parts[parts.length - 1];
    expect(last.hasNext).toBe(false);
    expect(parts[0].extensions).toBeUndefined();
    expect(last.extensions?.cost?.actual).toBeGreaterThan(0);
    expect(last.extensions?.cost?.actual).toBeLessThanOrEqual(last.extensions!.cost!.estimated);
    const whole = await postJson(example.gateway.url, body);
    expect(whole.json).toEqual({ data: { topProducts: [{ name: 'Table', inStock: true, shippingEstimate: 50 }, { name: 'Couch', inStock: false, shippingEstimate: 0 }] } });
  });
});
