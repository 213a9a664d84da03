// resolveRollbackTarget: the previous version by default, a version number, or a hash prefix.
import { referencedBlobs, resolveRollbackTarget, type HistoryEntry } from './history';

function entry(version: number, hash: string): HistoryEntry {
  return { version, hash: hash.padEnd(64, '0'), at: '', by: 'x', action: 'publish', summary: '', changes: [], subgraphs: { a: { url: 'u', sdl: `sdl${version}`.padEnd(64, '0') } } };
}

const entries = [entry(3, 'aaaaaaa1'), entry(4, 'bbbbbbb2'), entry(5, 'aaaaaaa1'), entry(6, 'ccccccc3')];

describe('resolveRollbackTarget', () => {
  it('defaults to the version before the newest', () => {
    expect(resolveRollbackTarget(entries, undefined)).toMatchObject({ ok: true, entry: { version: 5 } });
  });

  it('takes a version number, with or without a v', () => {
    expect(resolveRollbackTarget(entries, '4')).toMatchObject({ ok: true, entry: { version: 4 } });
    expect(resolveRollbackTarget(entries, 'v3')).toMatchObject({ ok: true, entry: { version: 3 } });
  });

  it('takes a hash prefix of 7+ characters, newest match first', () => {
    expect(resolveRollbackTarget(entries, 'AAAAAAA1')).toMatchObject({ ok: true, entry: { version: 5 } });
  });

  it('explains what it cannot resolve', () => {
    expect(resolveRollbackTarget([], undefined)).toEqual({ ok: false, message: 'nothing has been published yet' });
    expect(resolveRollbackTarget(entries.slice(0, 1), undefined)).toMatchObject({ ok: false, message: expect.stringContaining('only one') });
    expect(resolveRollbackTarget(entries, '2')).toMatchObject({ ok: false, message: 'no version 2 in the history (kept: 3–6)' });
    expect(resolveRollbackTarget(entries, 'ddddddd')).toMatchObject({ ok: false, message: expect.stringContaining('no version with a hash') });
    expect(resolveRollbackTarget(entries, 'ccccccc3')).toMatchObject({ ok: false, message: expect.stringContaining('is what is served now') });
    expect(resolveRollbackTarget(entries, 'yesterday')).toMatchObject({ ok: false, message: expect.stringContaining('--to takes') });
  });
});

describe('referencedBlobs', () => {
  it('collects supergraph and subgraph blob hashes', () => {
    expect(referencedBlobs(entries.slice(0, 2)).size).toBe(4);
  });
});
