// Anonymous callers over real HTTP are counted per network, not per address: behind a trusted proxy
// (X-Forwarded-For), two addresses of one IPv6 /64 share a rate limit and a cost budget, two /64s don't; every
// spelling of an address is one caller; random addresses of one /64, endless zone ids or garbage never buy more
// than the limit; `clients.ipv4Prefix` / `clients.ipv6Prefix` change the network size.
import { randomBytes } from 'node:crypto';
import { LIBRARY_SDL, startLibrary, type LibraryState } from './fixtures/limitsGraph';
import { compose, postJson, startTestGateway, windowClock, type HttpReply } from './harness';

type Gateway = Awaited<ReturnType<typeof startTestGateway>>;

let library: Awaited<ReturnType<typeof startLibrary>>;
let state: LibraryState;
let supergraph: string;
let gateway: Gateway;

const config = {
  server: { trustedProxies: ['127.0.0.1'] },
  rateLimits: { fields: { 'Query.ping': { plans: { anonymous: { max: 2 } } } } },
  cost: { extensions: 'always' as const, plans: { anonymous: { budget: { max: 100, window: '1h' } } } },
};

/** A /64 no other test uses: "2001:db8:<n>:<n>". */
let nextNetwork = 1;
const freshNetwork = () => {
  const n = (nextNetwork++).toString(16);
  return `2001:db8:${n}:${n}`;
};
/** A random host part (the low 64 bits). */
const randomHost = () => (randomBytes(8).toString('hex').match(/.{4}/g) ?? []).join(':');

const from = (ip: string) => ({ 'x-forwarded-for': ip });
const ping = (ip: string) => postJson(gateway.url, { query: '{ ping }' }, from(ip));
const limited = (reply: HttpReply) => reply.json.errors?.[0]?.extensions?.code === 'RATE_LIMITED';

// The policy stage's clock starts at the hour's start: no test here meets a window edge it did not ask for.
const clock = windowClock(3_600_000);

beforeAll(async () => {
  library = await startLibrary();
  state = library.state;
  supergraph = compose([{ name: 'library', url: library.server.url, sdl: LIBRARY_SDL }]);
  gateway = await startTestGateway(supergraph, config, { now: clock.now });
});

afterAll(async () => {
  await gateway?.close();
  await library?.server.close();
});


describe('anonymous callers on IPv6 are counted per /64', () => {
  it('refuses a second address of the /64 once the first spent the limit', async () => {
    const net = freshNetwork();
    expect((await ping(`${net}::1`)).json).toEqual({ data: { ping: 'pong' }, extensions: expect.anything() });
    expect((await ping(`${net}::1`)).json.data).toEqual({ ping: 'pong' });
    const calls = state.calls.ping;
    const other = await ping(`${net}:ffff:ffff:ffff:fffe`);
    expect(other.status).toBe(200);
    expect(other.json.data).toEqual({ ping: null });
    expect(other.json.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', coordinate: 'Query.ping', limit: 2 });
    expect(other.headers.get('ratelimit-remaining')).toBe('0');
    expect(state.calls.ping).toBe(calls);
  });

  it('keeps two /64s apart, even next to each other', async () => {
    const net = freshNetwork();
    const neighbour = `${net.slice(0, net.lastIndexOf(':'))}:${(parseInt(net.slice(net.lastIndexOf(':') + 1), 16) + 0x8000).toString(16)}`;
    for (let i = 0; i < 2; i++) expect(limited(await ping(`${net}::${i + 1}`))).toBe(false);
    expect(limited(await ping(`${net}::3`))).toBe(true);
    expect((await ping(`${neighbour}::1`)).json).toMatchObject({ data: { ping: 'pong' } });
    expect(limited(await ping(`${neighbour}::1`))).toBe(false);
    expect(limited(await ping(`${neighbour}::2`))).toBe(true);
  });

  it('shares the cost budget across the /64 as well', async () => {
    const net = freshNetwork();
    const query = { query: '{ bestsellers { title } }' };
    const first = await postJson(gateway.url, query, from(`${net}::a`));
    const { remaining } = first.json.extensions.cost.budget;
    expect(remaining).toBeLessThan(100);
    const second = await postJson(gateway.url, query, from(`${net}:1:2:3:4`));
    expect(second.json.extensions.cost.budget.remaining).toBe(remaining - (100 - remaining));
    const elsewhere = await postJson(gateway.url, query, from(`${freshNetwork()}::a`));
    expect(elsewhere.json.extensions.cost.budget.remaining).toBe(remaining);
  });

  it('counts every spelling of one address as one caller (case, zeros, compression, zone, mapped IPv4)', async () => {
    const net = freshNetwork();
    const [a, b] = net.split(':').slice(2);
    const spellings = [
      `${net}::1`,
      `2001:0DB8:${a.padStart(4, '0')}:${b.padStart(4, '0')}:0:0:0:1`,
      `${net.toUpperCase()}:0::1%eth0`,
    ];
    const replies = [];
    for (const ip of spellings) replies.push(await ping(ip));
    expect(replies.map(limited)).toEqual([false, false, true]);

    const v4 = ['198.51.100.77', '::FFFF:198.51.100.77', '0:0:0:0:0:ffff:c633:644d'];
    const v4Replies = [];
    for (const ip of v4) v4Replies.push(await ping(ip));
    expect(v4Replies.map(limited)).toEqual([false, false, true]);
  });
});

describe('attacks', () => {
  it('never answers more than the limit to many random addresses of one /64, sent at once', async () => {
    const net = freshNetwork();
    const calls = state.calls.ping ?? 0;
    const replies = await Promise.all(Array.from({ length: 60 }, () => ping(`${net}:${randomHost()}`)));
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    expect(replies.filter((reply) => reply.json.data?.ping === 'pong')).toHaveLength(2);
    expect(replies.filter(limited)).toHaveLength(58);
    // Inbound dedupe may answer both admitted requests with one subgraph call.
    expect(state.calls.ping - calls).toBeLessThanOrEqual(2);
  });

  it('makes no new bucket from text in X-Forwarded-For: zone ids fold into their /64, garbage counts as the proxy', async () => {
    // Zone ids pass isIP, so each one was a new caller: all of these are fe80::/64.
    const zoned = await Promise.all(Array.from({ length: 30 }, (_, i) => ping(`fe80::${i.toString(16)}%z${randomBytes(6).toString('hex')}`)));
    expect(zoned.filter((reply) => reply.json.data?.ping === 'pong')).toHaveLength(2);
    // Not addresses: reading stops there, and the caller is the trusted proxy that sent it (127.0.0.1) — no crash.
    const garbage = ['not-an-ip', '1.2.3.4:80', '[2001:db8::1]', '010.0.0.1', '2001:db8::/64', 'x'.repeat(2_000), 'fe80::1%', '::ffff:1.2.3'];
    const replies: HttpReply[] = [];
    for (const text of garbage) replies.push(await ping(text));
    for (let i = 0; i < 16; i++) replies.push(await ping(`${randomBytes(4).toString('hex')}-${garbage[i % garbage.length]}`));
    expect(replies.every((reply) => reply.status === 200)).toBe(true);
    expect(replies.filter((reply) => reply.json.data?.ping === 'pong')).toHaveLength(2);
  });
});

describe('clients.ipv4Prefix and clients.ipv6Prefix', () => {
  let sized: Gateway;
  beforeAll(async () => {
    sized = await startTestGateway(supergraph, { ...config, clients: { ipv4Prefix: 24, ipv6Prefix: 128 } }, { now: clock.now });
  });
  afterAll(() => sized?.close());
  const pingSized = (ip: string) => postJson(sized.url, { query: '{ ping }' }, from(ip));

  it('count IPv4 per /24 and IPv6 per address when configured so', async () => {
    expect(limited(await pingSized('203.0.113.1'))).toBe(false);
    expect(limited(await pingSized('203.0.113.200'))).toBe(false);
    expect(limited(await pingSized('203.0.113.99'))).toBe(true);
    expect(limited(await pingSized('203.0.114.1'))).toBe(false);

    for (const host of ['::1', '::2', '::3']) {
      expect(limited(await pingSized(`2001:db8:ff::${host.slice(2)}`))).toBe(false);
    }
    expect(limited(await pingSized('2001:db8:ff::1'))).toBe(false);
    expect(limited(await pingSized('2001:db8:ff::1'))).toBe(true);
  });
});
