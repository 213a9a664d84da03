import { boundSubgraphResponse, droppedErrorsError, MAX_ERROR_PATH_LENGTH } from './subgraphResponse';

describe('boundSubgraphResponse', () => {
  it('passes a well-formed answer through as is', () => {
    const errors = [{ message: 'boom', path: ['a', 0], extensions: { code: 'X' } }];
    const result = boundSubgraphResponse({ data: { a: [1] }, errors }, 100);
    expect(result).toEqual({ ok: true, response: { data: { a: [1] }, errors }, errorCount: 1, dropped: 0 });
    if (result.ok) expect(result.response.errors?.[0]).toBe(errors[0]);
  });

  it('keeps the first errors and counts the rest', () => {
    const errors = Array.from({ length: 200_000 }, (_, i) => ({ message: `e${i}` }));
    const result = boundSubgraphResponse({ data: null, errors }, 100);
    expect(result.ok && result.response.errors?.length).toBe(100);
    expect(result.ok && result.response.errors?.[99]).toEqual({ message: 'e99' });
    expect(result).toMatchObject({ errorCount: 200_000, dropped: 199_900 });
    expect(droppedErrorsError('stock', 200_000, 100)).toEqual({
      message: 'Subgraph "stock" answered with 200000 errors; the first 100 are kept, 199900 dropped (traffic.maxErrorsPerResponse)',
      extensions: { code: 'SUBGRAPH_BAD_RESPONSE', subgraph: 'stock', droppedErrors: 199_900, maxErrorsPerResponse: 100 },
    });
  });

  it('normalises errors the gateway would spread or choke on', () => {
    const long = Array.from({ length: MAX_ERROR_PATH_LENGTH + 1 }, () => 'a');
    const errors = [null, 'text', [1], { message: 7 }, { message: 'm', extensions: 'x'.repeat(1000) }, { message: 'p', path: long }, { message: 'q', path: ['a', {}] }];
    const result = boundSubgraphResponse({ errors }, 100);
    expect(result.ok && result.response.errors).toEqual([
      { message: 'The subgraph returned a malformed error' },
      { message: 'The subgraph returned a malformed error' },
      { message: 'The subgraph returned a malformed error' },
      { message: 'The subgraph returned a malformed error' },
      { message: 'm' },
      { message: 'p' },
      { message: 'q' },
    ]);
  });

  it('refuses data the gateway would merge key by key', () => {
    expect(boundSubgraphResponse({ data: 'x'.repeat(100) }, 100)).toEqual({ ok: false, problem: '`data` is not an object' });
    expect(boundSubgraphResponse({ data: [1, 2] }, 100)).toMatchObject({ ok: false });
    expect(boundSubgraphResponse({ data: { _entities: [{ a: 1 }, 'abc'] } }, 100)).toMatchObject({ ok: false, problem: expect.stringContaining('_entities') });
    expect(boundSubgraphResponse({ data: { _entities: [[1, 2]] } }, 100)).toMatchObject({ ok: false });
    expect(boundSubgraphResponse({ data: { _entities: 'abc' } }, 100)).toMatchObject({ ok: false });
    expect(boundSubgraphResponse({ data: { _entities: [null, { a: 1 }] } }, 100)).toMatchObject({ ok: true });
    expect(boundSubgraphResponse({ errors: { length: 1e9 } }, 100)).toEqual({ ok: false, problem: '`errors` is not a list' });
  });
});
