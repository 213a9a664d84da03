// Child process of the bench, the `no-gateway` target: the HTTP ceiling. A memoizing front (memoServer.ts) on the
// gateway's core in front of the reviews subgraph, loaded with the fixture's direct query (direct-request.json):
// after the first request it answers the subgraph's memoized response, so what it costs is HTTP alone.
// Argv: <reviews subgraph URL> [port]; prints `{"url":"..."}` once it listens, runs until SIGINT/SIGTERM.
import { startMemoFront } from './memoServer';

async function main(): Promise<void> {
  const [upstream, portArg = '0'] = process.argv.slice(2);
  if (upstream === undefined) throw new Error('usage: noGatewayProcess.js <subgraph url> [port]');
  const front = await startMemoFront(upstream, '127.0.0.1', Number(portArg));
  const stop = () => {
    front.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(JSON.stringify({ url: front.url }));
}

main().catch((error: unknown) => {
  console.error('no-gateway target failed to start:', error);
  process.exit(1);
});
