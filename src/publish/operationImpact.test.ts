// findBrokenOperations: recently used operations validated against the candidate API schema.
import { buildSchema } from 'graphql';
import type { OperationUsage } from '../telemetry/usage/types';
import { findBrokenOperations } from './operationImpact';

const CURRENT = buildSchema(`
  type Query { product(upc: String!): Product products(first: Int): [Product] }
  type Product { upc: String! name: String weight: Int color: Color }
  enum Color { RED GREEN }
`);
const CANDIDATE = buildSchema(`
  type Query { product(upc: String!): Product products(first: Int!): [Product] }
  type Product { upc: String! name: String color: Color }
  enum Color { RED }
`);

function op(name: string | undefined, query: string, client: string, count: number): OperationUsage {
  return { ...(name ? { name } : {}), queryHash: `h:${query}`, query, client, count, lastSeen: count };
}

describe('findBrokenOperations', () => {
  it('lists operations the candidate breaks, by name and client, most used first', () => {
    const usage = [
      op('Names', 'query Names { product(upc: "1") { name } }', 'web', 40),
      op('Shipping', 'query Shipping { product(upc: "1") { name weight } }', 'web', 3),
      op('Shipping', 'query Shipping { product(upc: "1") { name weight } }', 'ios', 12),
      op(undefined, '{ products { upc } }', 'partner', 7),
    ];
    const broken = findBrokenOperations(usage, CURRENT, CANDIDATE);
    expect(broken.map((b) => [b.name, b.client, b.count])).toEqual([
      ['Shipping', 'ios', 12],
      [undefined, 'partner', 7],
      ['Shipping', 'web', 3],
    ]);
    expect(broken[0].errors).toEqual(['Cannot query field "weight" on type "Product".']);
    expect(broken[1].errors[0]).toMatch(/argument "first" of type "Int!" is required/);
  });

  it('does not blame the change for operations that are already invalid or unparsable', () => {
    const usage = [op('Old', '{ product(upc: "1") { gone } }', 'web', 5), op('Bad', '{ product(', 'web', 5)];
    expect(findBrokenOperations(usage, CURRENT, CANDIDATE)).toEqual([]);
  });

  it('sees an enum value removed when an operation uses it as a literal', () => {
    const schemaWithArg = (values: string) => buildSchema(`type Query { paint(color: Color): Int } enum Color { ${values} }`);
    const usage = [op('Paint', '{ paint(color: GREEN) }', 'web', 1)];
    expect(findBrokenOperations(usage, schemaWithArg('RED GREEN'), schemaWithArg('RED'))).toHaveLength(1);
  });
});
