import { buildSchema, operationFromDocument } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { compileShape, shapeResponse } from './shape';

const schema = buildSchema(`
  type Query { items: [Item!]! maybe: [Item] one: Item! shape: Shape grid: [[Int!]] color: Color }
  enum Color { RED GREEN }
  interface Shape { id: ID! }
  type Circle implements Shape { id: ID! radius: Int! }
  type Square implements Shape { id: ID! side: Int }
  type Item { id: ID! name: String! note: String }
`);

function shape(query: string, data: Record<string, unknown>, variables?: Record<string, unknown>) {
  const operation = operationFromDocument(schema, parse(query));
  return shapeResponse(compileShape(operation), data, variables, () => null);
}

describe('shapeResponse: null propagation (GraphQL spec §6.4.4)', () => {
  it('nulls the nearest nullable parent: a nullable list item', () => {
    const result = shape('{ maybe { id name } }', { maybe: [{ id: '1', name: 'a' }, { id: '2', name: null }] });
    expect(result.data).toEqual({ maybe: [{ id: '1', name: 'a' }, null] });
    expect(result.errors).toEqual([{ message: 'Cannot return null for non-nullable field Item.name.', path: ['maybe', 1, 'name'], extensions: { code: 'INVALID_GRAPHQL' } }]);
  });

  it('bubbles through non-null list items and a non-null list up to data', () => {
    const result = shape('{ items { id name } }', { items: [{ id: '1', name: 'a' }, { id: '2' }] });
    expect(result.data).toBeNull();
    expect(result.errors.map((e) => e.path)).toEqual([['items', 1, 'name']]);
  });

  it('reports a null non-null list item by index', () => {
    const result = shape('{ grid }', { grid: [[1, 2], [3, null]] });
    expect(result.data).toEqual({ grid: [[1, 2], null] });
    expect(result.errors[0].message).toBe('Cannot return null for non-nullable array element of type Int at index 1.');
  });

  it('checks leaf values: an unknown enum value is null with an error', () => {
    const result = shape('{ color }', { color: 'BLUE' });
    expect(result.data).toEqual({ color: null });
    expect(result.errors[0].message).toBe('Invalid value found for field Query.color.');
  });

  it('picks fragments of an abstract type by __typename, and keeps the operation key order', () => {
    const query = '{ shape { ... on Square { side } id ... on Circle { radius } __typename } }';
    const result = shape(query, { shape: { __typename: 'Circle', id: 'c', radius: 2, side: 9 } });
    expect(JSON.stringify(result.data)).toBe('{"shape":{"id":"c","radius":2,"__typename":"Circle"}}');
  });

  it('nulls an abstract field whose non-null member field is missing', () => {
    const result = shape('{ shape { ... on Circle { radius } } }', { shape: { __typename: 'Circle', id: 'c' } });
    expect(result.data).toEqual({ shape: null });
  });

  it('applies @skip/@include from variables, with defaults', () => {
    const query = 'query ($a: Boolean = true, $b: Boolean!) { one { id @include(if: $a) name @skip(if: $b) note } }';
    expect(shape(query, { one: { id: '1', name: 'n', note: null } }, { b: true }).data).toEqual({ one: { id: '1', note: null } });
    expect(shape(query, { one: { id: '1', name: 'n', note: null } }, { a: false, b: false }).data).toEqual({ one: { name: 'n', note: null } });
  });

  it('writes aliases and __typename', () => {
    const result = shape('{ first: one { t: __typename n: name } }', { first: { n: 'x', __typename: 'Item' } });
    expect(JSON.stringify(result.data)).toBe('{"first":{"t":"Item","n":"x"}}');
  });
});
