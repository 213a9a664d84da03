// Child process of the bench: the example subgraphs (all that startExampleSubgraphs starts) on free ports, or on
// ports given as a JSON argument, announced as one JSON line `{"urls":{...}}` on stdout; runs until SIGINT/SIGTERM.
// With `--memo`, each subgraph sits behind a memoizing front (memoServer.ts) and `urls` are the fronts'; `direct`
// keeps the subgraphs' own URLs and `statsUrl` answers GET with how many requests the fronts have received (and how
// many `reviewAdded` subscriptions the reviews subgraph holds: the fan-out scenario's upstream count).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startExampleSubgraphs, type ExampleSubgraphName } from '../subgraphs';
import { reviewFeed } from '../subgraphs/reviews';
import { startMemoFront, type MemoCounts, type MemoFront } from './memoServer';

const SUBGRAPH_NAMES: readonly ExampleSubgraphName[] = ['accounts', 'products', 'reviews', 'inventory'];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const memo = args.includes('--memo');
  const portsArg = args.find((a) => !a.startsWith('--'));
  const ports = portsArg === undefined ? {} : (JSON.parse(portsArg) as Partial<Record<ExampleSubgraphName, number>>);
  const subgraphs = await startExampleSubgraphs({ host: '127.0.0.1', ports });
  const fronts: MemoFront[] = [];
  const closers: Array<() => Promise<void>> = [() => subgraphs.close()];
  const stop = () => {
    Promise.all(closers.map((close) => close())).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const direct = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, subgraphs.urls[name]])) as Record<ExampleSubgraphName, string>;
  if (!memo) {
    console.log(JSON.stringify({ urls: direct, direct }));
    return;
  }
  const urls = {} as Record<ExampleSubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) {
    const front = await startMemoFront(direct[name]);
    fronts.push(front);
    closers.push(() => front.close());
    urls[name] = front.url;
  }
  // Summed over the fronts: what the gateway under test asked of its subgraphs during a measurement.
  const stats = createServer((req, res) => {
    const total: MemoCounts = { requests: 0, forwarded: 0 };
    for (const front of fronts) {
      const c = front.counts();
      total.requests += c.requests;
      total.forwarded += c.forwarded;
    }
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...total, reviewSubscriptions: reviewFeed.subscribers }));
  });
  await new Promise<void>((resolve) => stats.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((done) => stats.close(() => done())));
  const statsUrl = `http://127.0.0.1:${(stats.address() as AddressInfo).port}/stats`;
  console.log(JSON.stringify({ urls, direct, statsUrl }));
}

main().catch((error: unknown) => {
  console.error('bench subgraphs failed to start:', error);
  process.exit(1);
});
