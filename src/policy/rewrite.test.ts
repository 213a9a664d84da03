import { parse, print, type FieldNode, type OperationDefinitionNode, Kind, visit } from 'graphql';
import { removeFields, TYPENAME_HELPER } from './rewrite';
import { nullRemovedFields } from './patchResponse';
import { buildSchema } from 'graphql';
import { walkOperation } from './walk';

function fieldsNamed(document: ReturnType<typeof parse>, name: string): Set<FieldNode> {
  const found = new Set<FieldNode>();
  visit(document, { Field: (node) => void (node.name.value === name && found.add(node)) });
  return found;
}

function rewrite(query: string, remove: string) {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  return removeFields(document, operation, fieldsNamed(document, remove), new Set());
}

describe('removeFields', () => {
  it('removes the field and nothing else', () => {
    expect(rewrite('{ a { b c } }', 'c')).toEqual({ query: print(parse('{ a { b } }')), usesTypenameHelper: false });
  });

  it('keeps an emptied object with the typename helper', () => {
    const result = rewrite('{ a { c } }', 'c');
    expect(result.query).toBe(print(parse(`{ a { ${TYPENAME_HELPER}: __typename } }`)));
    expect(result.usesTypenameHelper).toBe(true);
  });

  it('drops variables and fragments the removal left unused, so the query still validates', () => {
    const result = rewrite('query Q($id: ID!, $keep: Int) { secret(id: $id) { ...F } open(n: $keep) } fragment F on T { x }', 'secret');
    expect(result.query).toBe(print(parse('query Q($keep: Int) { open(n: $keep) }')));
  });

  it('drops other operations in the document', () => {
    expect(rewrite('query A { a b } query B { c }', 'b').query).toBe(print(parse('query A { a }')));
  });
});

describe('nullRemovedFields', () => {
  const schema = buildSchema(`
    type Query { list: [Item!]! maybe: Item strict: Item! }
    type Item { id: ID! open: String closed: String mandatory: String! }
  `);
  const segmentsOf = (query: string) => {
    const document = parse(query);
    return walkOperation(schema, document, document.definitions[0] as OperationDefinitionNode, {}).occurrences.filter((o) => o.fieldDef.name === 'closed' || o.fieldDef.name === 'mandatory').map((o) => o.segments);
  };

  it('puts null at the removed field in every list item', () => {
    const data = { list: [{ id: '1' }, { id: '2' }] };
    expect(nullRemovedFields(data, segmentsOf('{ list { id closed } }'), false)).toEqual({ list: [{ id: '1', closed: null }, { id: '2', closed: null }] });
  });

  it('propagates a removed non-null field to the nearest nullable parent', () => {
    expect(nullRemovedFields({ maybe: { id: '1' } }, segmentsOf('{ maybe { id mandatory } }'), false)).toEqual({ maybe: null });
    // [Item!]! → the whole list, then the (non-null) root field: data becomes null.
    expect(nullRemovedFields({ list: [{ id: '1' }] }, segmentsOf('{ list { mandatory } }'), false)).toBeNull();
  });

  it('strips the typename helper everywhere', () => {
    const data = { maybe: { [TYPENAME_HELPER]: 'Item' } };
    expect(nullRemovedFields(data, segmentsOf('{ maybe { closed } }'), true)).toEqual({ maybe: { closed: null } });
  });
});
