// The stage table (src/pipeline/stages.ts) against the code table and the docs: every code has exactly one owner,
// borrowed codes are owned elsewhere, no retired code is back, every file named exists, no code is made up in src/,
// and docs/architecture.md's stage and surface tables say what the table says.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, RETIRED_CODES, type ErrorCode } from '../src/errors';
import { ownerOf, STAGE_TABLE, type StageEntry } from '../src/pipeline/stages';

const root = join(__dirname, '..');
const table: readonly StageEntry[] = STAGE_TABLE;

describe('the stage table', () => {
  it('gives every code in src/errors.ts exactly one owner', () => {
    const owners = new Map<string, string[]>();
    for (const entry of table) for (const code of entry.owns) owners.set(code, [...(owners.get(code) ?? []), entry.stage]);
    const problems = Object.keys(ERROR_CODES).flatMap((code) => {
      const found = owners.get(code) ?? [];
      return found.length === 1 ? [] : [`${code}: ${found.length === 0 ? 'no owner' : `owned by ${found.join(', ')}`}`];
    });
    expect(problems).toEqual([]);
    expect([...owners.keys()].filter((code) => !(code in ERROR_CODES))).toEqual([]);
    expect(ownerOf('RATE_LIMITED').stage).toBe('policy: limits');
  });

  it('borrows only codes another entry owns, and lists no code twice in one entry', () => {
    for (const entry of table) {
      const codes = [...entry.owns, ...(entry.also ?? [])];
      expect({ stage: entry.stage, codes: new Set(codes).size }).toEqual({ stage: entry.stage, codes: codes.length });
      for (const code of entry.also ?? []) expect({ code, owner: ownerOf(code).stage === entry.stage }).toEqual({ code, owner: false });
    }
  });

  it('has unique names, stages before surfaces, and names only files that exist', () => {
    expect(new Set(table.map((e) => e.stage)).size).toBe(table.length);
    const kinds = table.map((e) => e.kind).join(' ');
    expect(kinds).toMatch(/^(stage ?)+(surface ?)*$/);
    const missing = table.flatMap((e) => e.where).filter((path) => !existsSync(join(root, path)));
    expect(missing).toEqual([]);
  });

  it('marks as partial exactly the stages whose codes answer HTTP 200', () => {
    for (const entry of table.filter((e) => e.partial)) for (const code of entry.owns) expect({ code, status: ERROR_CODES[code].status }).toEqual({ code, status: 200 });
  });

  it('refuses a retired code: it may not be in the code table again', () => {
    expect(RETIRED_CODES.filter((code) => code in ERROR_CODES)).toEqual([]);
    const doc = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Retired codes'), doc.indexOf('\n## ', doc.indexOf('## Retired codes') + 1));
    expect([...section.matchAll(/^- `([A-Z_]+)`/gm)].map((m) => m[1]).sort()).toEqual([...RETIRED_CODES].sort());
  });

  it('is the only source of codes: src/ sets extensions.code only to codes of the table', () => {
    const made: string[] = [];
    const visit = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) visit(path);
        else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) {
          for (const m of readFileSync(path, 'utf8').matchAll(/extensions: \{ code: '([A-Z_]+)'/g)) if (!(m[1] in ERROR_CODES)) made.push(`${path}: ${m[1]}`);
        }
      }
    };
    visit(join(root, 'src'));
    expect(made).toEqual([]);
  });
});

describe('docs/architecture.md', () => {
  const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
  const rows = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const cells = line.split(' | ');
    if (cells.length < 4 || !line.startsWith('| ')) continue;
    rows.set(cells[0].slice(2).trim(), cells);
  }

  it.each(table.map((e) => [e.stage, e] as const))('row "%s" lists the stage\'s files and exactly its codes', (_name, entry) => {
    const cells = rows.get(entry.stage);
    expect(cells).toBeDefined();
    const [, where, , codes] = cells!;
    // A path is written in full or, after the first one, by its name in the same folder (`walk.ts`, `authorization/`).
    for (const path of entry.where) expect({ path, found: where.includes(`\`${path}\``) || where.includes(`\`${/[^/]+\/?$/.exec(path)![0]}\``) }).toEqual({ path, found: true });
    const documented = [...codes.matchAll(/`([A-Z][A-Z_]+)`/g)].map((m) => m[1] as ErrorCode);
    expect(documented).toEqual([...entry.owns, ...(entry.also ?? [])]);
  });

  it('has a row for no stage the table lacks', () => {
    const known = new Set(table.map((e) => e.stage));
    const tables = doc.slice(0, doc.indexOf('## The supergraph'));
    const names = [...tables.matchAll(/^\| ([^|`]+?) \| `/gm)].map((m) => m[1]);
    expect(names.filter((name) => !known.has(name))).toEqual([]);
  });
});
