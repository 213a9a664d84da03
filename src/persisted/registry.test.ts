import pino from 'pino';
import { Writable } from 'node:stream';
import { buildConfig } from '../config/load';
import { PersistedOperations } from './registry';
import { textHash } from './resolve';
import { sha256Hex } from './manifest';

function auditRegistry(now: () => number) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  const config = buildConfig({ persistedOperations: { mode: 'audit', manifest: { file: 'manifest.json' } } }, { baseDir: '/nonexistent' });
  return { registry: new PersistedOperations(config, pino({ level: 'warn' }, sink), now), lines };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('audit mode log', () => {
  it('logs each distinct unlisted operation once, at most 60 lines a minute, and reports how many it left out', async () => {
    let clock = 1_000_000;
    const { registry, lines } = auditRegistry(() => clock);
    for (let i = 0; i < 500; i++) registry.audit(`hash-${i}`, 'Op', 'client');
    registry.audit('hash-0', 'Op', 'client');
    await settle();
    expect(lines).toHaveLength(60);
    clock += 60_000;
    registry.audit('hash-next', 'Op', 'client');
    await settle();
    expect(lines).toHaveLength(62);
    expect(lines[60]).toMatchObject({ suppressed: 440 });
    expect(lines[61]).toMatchObject({ operationHash: 'hash-next' });
  });
});

describe('textHash', () => {
  it('is the SHA-256 of the text, memoized or not', () => {
    for (const text of ['{ a }', '{ a }', 'x'.repeat(9_000), 'é\u0000']) expect(textHash(text)).toBe(sha256Hex(text));
  });
});
