// Child process of the bench: the example subgraphs (all that startExampleSubgraphs starts) on free ports, or on
// ports given as a JSON argument, announced as one JSON line `{"urls":{...}}` on stdout; runs until SIGINT/SIGTERM.
import { startExampleSubgraphs, type ExampleSubgraphName } from '../subgraphs';

async function main(): Promise<void> {
  const ports = process.argv[2] === undefined ? {} : (JSON.parse(process.argv[2]) as Partial<Record<ExampleSubgraphName, number>>);
  const subgraphs = await startExampleSubgraphs({ host: '127.0.0.1', ports });
  const stop = () => {
    subgraphs.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(JSON.stringify({ urls: subgraphs.urls }));
}

main().catch((error: unknown) => {
  console.error('bench subgraphs failed to start:', error);
  process.exit(1);
});
