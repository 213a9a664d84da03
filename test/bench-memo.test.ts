// The benchmark's memoizing front (bench/memoServer.ts) against a real upstream on 127.0.0.1: each distinct body is
// forwarded once (also when identical bodies arrive together), near-identical bodies never share an answer, failures
// are not kept, and bad requests get a clear status instead of a hang.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMemoFront, type MemoFront } from '../bench/memoServer';

interface Upstream {
  url: string;
  bodies: string[];
  /** Holds every answer until release() is called (to make requests overlap without timing). */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

async function startUpstream(): Promise<Upstream> {
  const bodies: string[] = [];
  let held: Array<() => void> | undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      const answer = () => {
        if (body.includes('fail')) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ message: `failed #${bodies.length}` }] }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/graphql-response+json' });
        res.end(JSON.stringify({ data: { echo: body, n: bodies.length } }));
      };
      if (held) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    bodies,
    hold: () => (held = []),
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function post(url: string, body: string | Buffer): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

let upstream: Upstream;
let front: MemoFront;

beforeEach(async () => {
  upstream = await startUpstream();
  front = await startMemoFront(upstream.url);
});

afterEach(async () => {
  await front.close();
  await upstream.close();
});

it('forwards a body once, then answers it from memory with the same bytes and content type', async () => {
  const first = await post(front.url, '{"query":"{ a }"}');
  const again = await Promise.all(Array.from({ length: 20 }, () => post(front.url, '{"query":"{ a }"}')));
  expect(first).toEqual({ status: 200, type: 'application/graphql-response+json', text: JSON.stringify({ data: { echo: '{"query":"{ a }"}', n: 1 } }) });
  for (const answer of again) expect(answer).toEqual(first);
  expect(upstream.bodies).toEqual(['{"query":"{ a }"}']);
  expect(front.counts()).toEqual({ requests: 21, forwarded: 1 });
});

it('identical bodies arriving before the first answer share one forward', async () => {
  upstream.hold();
  const answers = Array.from({ length: 10 }, () => post(front.url, '{"query":"{ b }"}'));
  // Wait (on events, not time) until the upstream has the one forward, then let it answer.
  while (upstream.bodies.length === 0) await new Promise((resolve) => setImmediate(resolve));
  upstream.release();
  const texts = new Set((await Promise.all(answers)).map((a) => a.text));
  expect(texts.size).toBe(1);
  expect(upstream.bodies).toHaveLength(1);
});

it('never mixes up bodies that differ by one character, whitespace or Unicode form', async () => {
  const bodies = ['{"query":"{ a }"}', '{"query":"{ a } "}', '{"query":"{ b }"}', '{"query":"{ é }"}', '{"query":"{ e\u0301 }"}', '{"query":"{ a }"}\n'];
  for (const body of bodies) {
    const answer = await post(front.url, body);
    expect((JSON.parse(answer.text) as { data: { echo: string } }).data.echo).toBe(body);
  }
  // Second pass, from memory: still each its own answer.
  for (const body of bodies) {
    const answer = await post(front.url, body);
    expect((JSON.parse(answer.text) as { data: { echo: string } }).data.echo).toBe(body);
  }
  expect(upstream.bodies).toHaveLength(bodies.length);
});

it('does not keep failures: a 500 is passed through and asked again next time', async () => {
  const first = await post(front.url, '{"query":"fail"}');
  const second = await post(front.url, '{"query":"fail"}');
  expect(first.status).toBe(500);
  expect(second.status).toBe(500);
  expect(first.text).not.toBe(second.text);
  expect(upstream.bodies).toHaveLength(2);
});

it('answers 405 to other methods, 413 to oversized bodies, 502 when the upstream is gone', async () => {
  const get = await fetch(front.url);
  expect(get.status).toBe(405);
  await get.text();
  const big = await post(front.url, Buffer.alloc(5 * 1024 * 1024, 0x20));
  expect(big.status).toBe(413);
  await upstream.close();
  const gone = await post(front.url, '{"query":"{ never seen }"}');
  expect(gone.status).toBe(502);
  expect(gone.text).toMatch(/upstream failed/);
});
