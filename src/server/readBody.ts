// Reads a request body up to a byte limit and a deadline. Over the limit it stops buffering and says so; a body
// that does not arrive in time (a client that promises more than it sends) is given up on. It never buffers more
// than the limit. `drainRequest` lets a refused upload finish (boundedly), so the client can read the answer.
import type { IncomingMessage } from 'node:http';

export type BodyResult = { ok: true; body: string } | { ok: false; reason: 'too-large' | 'aborted' | 'timeout' };

export function readBody(req: IncomingMessage, limit: number, timeoutMs = 0): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, reason: 'too-large' });

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = timeoutMs > 0 ? setTimeout(() => finish({ ok: false, reason: 'timeout' }), timeoutMs) : undefined;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        finish({ ok: false, reason: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish({ ok: true, body: chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8') }));
    req.once('error', () => finish({ ok: false, reason: 'aborted' }));
    req.once('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}

/**
 * Reads and discards the rest of a request body, up to `maxBytes` more or `timeoutMs`, whichever comes first.
 * A server that closes a socket while the client is still uploading makes the kernel reset the connection, and
 * the client often sees EPIPE instead of the answer already sent; draining first lets it read the answer.
 * Resolves `ended` when the body was read to its end, `cut` when the bound was hit (the caller then closes).
 */
export function drainRequest(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<'ended' | 'cut'> {
  if (req.readableEnded) return Promise.resolve('ended');
  return new Promise((resolve) => {
    let drained = 0;
    let done = false;
    const finish = (how: 'ended' | 'cut') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      resolve(how);
    };
    const timer = setTimeout(() => finish('cut'), timeoutMs);
    const onData = (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > maxBytes) finish('cut');
    };
    req.on('data', onData);
    req.once('end', () => finish('ended'));
    req.once('close', () => finish('cut'));
    req.once('error', () => finish('cut'));
    req.resume();
  });
}
