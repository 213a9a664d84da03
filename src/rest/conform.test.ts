// conformToType: the checks that turn JSON which does not fit the GraphQL type into one coded mapping error.
import { buildSchema, GraphQLList, GraphQLNonNull, type GraphQLObjectType } from 'graphql';
import { conformToType } from './conform';

const schema = buildSchema(`
  type Query { x: Int }
  enum Currency { USD EUR }
  type Money { amount: Int! currency: Currency! rate: Float label: String id: ID }
  type Page { items: [Money!]! }
`);
const money = schema.getType('Money') as GraphQLObjectType;
const page = schema.getType('Page') as GraphQLObjectType;

describe('conformToType', () => {
  it('accepts values graphql-js can serialize', () => {
    expect(() => conformToType({ amount: 1, currency: 'USD', rate: 1.5, label: 12, id: 3 }, money)).not.toThrow();
    expect(() => conformToType(null, money)).not.toThrow();
    expect(() => conformToType({ items: [] }, page)).not.toThrow();
  });

  it.each([
    [{ amount: '12.5', currency: 'USD' }, 'amount: expected Int, got string "12.5"'],
    [{ amount: 2 ** 31, currency: 'USD' }, 'amount: expected Int'],
    [{ amount: 1, currency: 'GBP' }, 'currency: expected one of USD, EUR, got string "GBP"'],
    [{ amount: null, currency: 'USD' }, 'amount: is null, but Int! is non-null'],
    [{ amount: 1, currency: 'USD', rate: 'fast' }, 'rate: expected Float'],
    [{ amount: 1, currency: 'USD', id: 1.5 }, 'id: expected ID'],
    ['text', 'expected an object (Money), got string "text"'],
  ])('refuses %j', (value, message) => {
    expect(() => conformToType(value, money)).toThrow(message);
  });

  it('names list positions and checks list shape', () => {
    expect(() => conformToType({ items: [{ amount: 1, currency: 'USD' }, { amount: 'x', currency: 'USD' }] }, page)).toThrow('items[1].amount: expected Int');
    expect(() => conformToType({ items: { amount: 1 } }, page)).toThrow('items: expected a list');
    expect(() => conformToType(null, new GraphQLNonNull(new GraphQLList(money)))).toThrow('is null');
  });
});
