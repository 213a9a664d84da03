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

describe("Relay's doc_id", () => {
  it('is read as documentId, over POST and GET', () => {
    expect(paramsFromJsonBody('{"doc_id":"3be4abb81fa595e25eb725b2c6a87508","variables":{"x":1}}')).toEqual({ ok: true, params: { variables: { x: 1 } }, documentId: '3be4abb81fa595e25eb725b2c6a87508' });
    expect(paramsFromSearch(new URLSearchParams({ doc_id: 'abc' }))).toMatchObject({ ok: true, documentId: 'abc' });
    expect(paramsFromJsonBody('{"doc_id":"abc","documentId":"abc"}')).toMatchObject({ ok: true, documentId: 'abc' });
  });

  it('is refused when it is not a string or names another operation than documentId', () => {
    expect(paramsFromJsonBody('{"doc_id":7}')).toEqual({ ok: false, message: '"doc_id" must be a string.' });
    expect(paramsFromJsonBody('{"doc_id":"a","documentId":"b"}')).toEqual({ ok: false, message: '"documentId" and "doc_id" name different operations.' });
    expect(paramsFromSearch(new URLSearchParams({ doc_id: 'a', documentId: 'b' })).ok).toBe(false);
  });
});
