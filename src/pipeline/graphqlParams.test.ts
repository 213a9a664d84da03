import { paramsFromJsonBody, paramsFromSearch } from './graphqlParams';

describe('paramsFromJsonBody', () => {
  it('accepts a query with variables and operation name', () => {
    expect(paramsFromJsonBody('{"query":"{ a }","operationName":"A","variables":{"x":1}}')).toEqual({
      ok: true,
      params: { query: '{ a }', operationName: 'A', variables: { x: 1 }, extensions: undefined },
    });
  });

  it.each([
    ['{"query":', 'not valid JSON'],
    ['[{"query":"{a}"}]', 'Batched'],
    ['"x"', 'JSON object'],
    ['null', 'JSON object'],
    ['{}', 'no "query"'],
    ['{"query":""}', 'no "query"'],
    ['{"query":5}', '"query" must be a string'],
    ['{"query":"{a}","variables":[1]}', '"variables" must be an object'],
    ['{"query":"{a}","operationName":3}', '"operationName" must be a string'],
    ['{"query":"{a}","extensions":"x"}', '"extensions" must be an object'],
  ])('rejects %s', (body, message) => {
    const result = paramsFromJsonBody(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it('accepts a persisted-query request without a query', () => {
    expect(paramsFromJsonBody('{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}').ok).toBe(true);
  });
});

describe('paramsFromSearch', () => {
  it('reads query, operationName and JSON variables', () => {
    const result = paramsFromSearch(new URLSearchParams({ query: '{ a }', operationName: 'A', variables: '{"x":1}' }));
    expect(result).toEqual({ ok: true, params: { query: '{ a }', operationName: 'A', variables: { x: 1 }, extensions: undefined } });
  });

  it('rejects variables that are not JSON', () => {
    expect(paramsFromSearch(new URLSearchParams({ query: '{ a }', variables: '{x' })).ok).toBe(false);
  });
});
