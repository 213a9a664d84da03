// docs/errors.md must list every error code Tollgate emits, and no code that no longer exists (codes are API).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../src/errors';

describe('docs/errors.md', () => {
  const doc = readFileSync(join(__dirname, '..', 'docs', 'errors.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));

  it('lists every code in src/errors.ts', () => {
    expect(Object.keys(ERROR_CODES).filter((code) => !documented.has(code))).toEqual([]);
  });

  it('lists no code that src/errors.ts lacks', () => {
    expect([...documented].filter((code) => !(code in ERROR_CODES))).toEqual([]);
  });

  it('gives each code the HTTP status the code table uses', () => {
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      expect(doc).toMatch(new RegExp(`^\\| \`${code}\` \\| ${status} \\|`, 'm'));
    }
  });
});
