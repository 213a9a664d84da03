// Rover/shellexpand expansion semantics, case by case (cases follow rover's expansion.rs and shellexpand's tests).

import { resolve } from 'node:path';
import { expandString, roverLookup, VariableExpansionError } from './envExpansion';

const files: Record<string, string> = { '/cfg/token.txt': 'file-token' };
const lookup = roverLookup({
  env: { HOST: 'example.com', EMPTY: '', A: 'a', B: 'b' },
  baseDir: '/cfg',
  readFile: (path) => files[path],
  resolvePath: resolve,
});
const expand = (input: string) => expandString(input, lookup);

describe('expandString', () => {
  it.each([
    ['no variables', 'http://localhost:4001', 'http://localhost:4001'],
    ['whole value', '${env.HOST}', 'example.com'],
    ['inside a string', 'https://${env.HOST}/graphql', 'https://example.com/graphql'],
    ['several', '${env.A}-${env.B}', 'a-b'],
    ['default when unset', '${env.PORT:-4000}', '4000'],
    ['default ignored when set', '${env.HOST:-other}', 'example.com'],
    ['empty default', 'x${env.NOPE:-}y', 'xy'],
    ['set but empty is empty, not the default', '${env.EMPTY:-d}', ''],
    ['default is literal and ends at the first }', '${env.NOPE:-${env.HOST}', '${env.HOST'],
    ['$$ is a literal $', 'price: $$5', 'price: $5'],
    ['lone $ stays', 'a $ b', 'a $ b'],
    ['unclosed ${ stays', '${env.HOST', '${env.HOST'],
    ['stray } stays', 'env.HOST}', 'env.HOST}'],
    ['file contents', 'Bearer ${file.token.txt}', 'Bearer file-token'],
    ['missing file stays as written', '${file.missing.txt}', '${file.missing.txt}'],
    ['missing file takes the default', '${file.missing.txt:-none}', 'none'],
  ])('%s', (_name, input, expected) => {
    expect(expand(input)).toBe(expected);
  });

  it('names an unset variable without default', () => {
    expect(() => expand('Bearer ${env.API_TOKEN}')).toThrow(VariableExpansionError);
    expect(() => expand('Bearer ${env.API_TOKEN}')).toThrow(/API_TOKEN is not set/);
  });

  it('rejects keys outside env./file., braced or not, as rover does', () => {
    expect(() => expand('${HOST}')).toThrow(/invalid variable expansion key "HOST"/);
    expect(() => expand('cost $5 or $dollars')).toThrow(/invalid variable expansion key "5"/);
    expect(() => expand('${:-x}')).toThrow(/invalid variable expansion key ":-x"/);
  });

  it('uses the default even for a bad key (shellexpand prefers the default over the lookup error)', () => {
    expect(expand('${HOST:-fallback}')).toBe('fallback');
  });
});
