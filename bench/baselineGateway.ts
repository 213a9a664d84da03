// Child process of the bench: the baseline — stock @apollo/gateway + @apollo/server with default settings, nothing
// tuned. Argv: <supergraph file> <port>; prints `{"url":"..."}` once it serves, runs until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

async function main(): Promise<void> {
  const [supergraphFile, portArg = '0'] = process.argv.slice(2);
  if (supergraphFile === undefined) throw new Error('usage: baselineGateway.js <supergraph.graphql> [port]');
  const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphFile, 'utf8') });
  // ApolloServer stops itself on SIGINT/SIGTERM by default (stopOnTerminationSignals), so no handlers here.
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: Number(portArg), host: '127.0.0.1' } });
  console.log(JSON.stringify({ url }));
}

main().catch((error: unknown) => {
  console.error('baseline gateway failed to start:', error);
  process.exit(1);
});
