// Back-pressure for streamed answers (SSE, multipart subscriptions): wait until the socket takes more, or is gone.
import type { ServerResponse } from 'node:http';

/** Resolves on the response's next `drain`, or on `close` (a client that left must not keep the writer waiting). */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
