// A memoizing front for one GraphQL-over-HTTP server: each distinct POST body is forwarded once and its answer kept,
// so repeats cost one body read, one Map lookup and one write. Only for the bench, whose subgraph data never changes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Distinct bodies kept; past this (or MAX_BYTES) new answers are passed through without being kept. */
const MAX_ENTRIES = 10_000;
const MAX_BYTES = 256 * 1024 * 1024;
/** Largest request body read; the gateways' subgraph requests for the bench query are a few KB. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const UPSTREAM_TIMEOUT_MS = 30_000;

interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface MemoCounts {
  /** POST requests answered (from memory or not). */
  requests: number;
  /** Of those, forwarded to the real server (first sight of a body, or memory full, or not kept). */
  forwarded: number;
}

export interface MemoFront {
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  counts(): MemoCounts;
  close(): Promise<void>;
}

/** Serves `upstreamUrl`'s answers from memory on a free port of `host`. */
export function startMemoFront(upstreamUrl: string, host = '127.0.0.1', port = 0): Promise<MemoFront> {
  const answers = new Map<string, Answer>();
  // Identical bodies arriving before the first answer share its forward (the upstream sees each body once).
  const pending = new Map<string, Promise<Answer>>();
  let keptBytes = 0;
  const counts: MemoCounts = { requests: 0, forwarded: 0 };

  async function forward(body: string): Promise<Answer> {
    counts.forwarded++;
    const response = await fetch(upstreamUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
    const answer = { status: response.status, contentType: response.headers.get('content-type') ?? 'application/json', body: Buffer.from(await response.arrayBuffer()) };
    // A failure may be transient: only a 200 is kept.
    if (answer.status === 200 && answers.size < MAX_ENTRIES && keptBytes + answer.body.length <= MAX_BYTES) {
      answers.set(body, answer);
      keptBytes += answer.body.length;
    }
    return answer;
  }

  function send(res: ServerResponse, answer: Answer): void {
    res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': answer.body.length });
    res.end(answer.body);
  }

  function answerFor(body: string): Answer | Promise<Answer> {
    const kept = answers.get(body);
    if (kept !== undefined) return kept;
    let inFlight = pending.get(body);
    if (inFlight === undefined) {
      inFlight = forward(body).finally(() => pending.delete(body));
      pending.set(body, inFlight);
    }
    return inFlight;
  }

  function onPost(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      counts.requests++;
      if (size > MAX_BODY_BYTES) return sendText(res, 413, 'request body too large for the bench memo');
      const body = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
      const answer = answerFor(body);
      if (answer instanceof Promise) answer.then((a) => send(res, a), (error: unknown) => sendText(res, 502, `bench memo: upstream failed: ${(error as Error).message}`));
      else send(res, answer);
    });
    req.on('error', () => req.destroy());
  }

  const server: Server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    if (req.method === 'POST') onPost(req, res);
    else {
      req.resume();
      sendText(res, 405, 'the bench memo answers POST only');
    }
  });
  // Outlive the gateways' idle keep-alive, as the real subgraphs do.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${bound}/graphql`,
        counts: () => ({ ...counts }),
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function sendText(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(message);
}
