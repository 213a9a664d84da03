// How much heap one APQ store entry takes (src/persisted/store/memory.ts counts entries with entryBytes): a Map
// keyed by a 64-character SHA-256 hex string, holding texts made as JSON.parse makes them from a request body.
// Run: npm run build && node --expose-gc dist/bench/apqHeap.js
import { createHash } from 'node:crypto';
import { entryBytes } from '../src/persisted/store/memory';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function measure(count: number, length: number, twoByte: boolean): Record<string, unknown> {
  gc!();
  gc!();
  const before = process.memoryUsage().heapUsed;
  const entries = new Map<string, string>();
  let counted = 0;
  for (let i = 0; i < count; i += 1) {
    const body = JSON.stringify({ query: `{ a${i} ${(twoByte ? 'é€' : 'x').repeat(length)} }`.slice(0, length) });
    const text = (JSON.parse(body) as { query: string }).query;
    entries.set(createHash('sha256').update(text).digest('hex'), text);
    counted += entryBytes(text);
  }
  gc!();
  gc!();
  const perEntry = (process.memoryUsage().heapUsed - before) / count;
  const textBytes = length * (twoByte ? 2 : 1);
  return { entries: entries.size, characters: length, twoByte, heapPerEntry: Math.round(perEntry), besidesText: Math.round(perEntry - textBytes), countedPerEntry: Math.round(counted / count) };
}

for (const [count, length, twoByte] of [
  [100_000, 200, false],
  [20_000, 1_000, false],
  [5_000, 10_000, false],
  [20_000, 1_000, true],
] as const) {
  console.log(JSON.stringify({ node: process.version, ...measure(count, length, twoByte) }));
}
