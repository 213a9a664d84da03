import { parse, type OperationDefinitionNode } from 'graphql';
import { checkOperationLimits, measureOperation } from './operationShape';

function shapeOf(source: string) {
  const document = parse(source);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return measureOperation(document, operation);
}

describe('measureOperation', () => {
  it('counts depth from root fields (root = 1)', () => {
    expect(shapeOf('{ a }').depth).toBe(1);
    expect(shapeOf('{ a { b { c } } }').depth).toBe(3);
  });

  it('follows fragments and inline fragments for depth', () => {
    expect(shapeOf('query { a { ...F } } fragment F on T { b { c { d } } }').depth).toBe(4);
    expect(shapeOf('{ a { ... on T { b { c } } } }').depth).toBe(3);
  });

  it('counts aliases once per spread of a fragment (alias bombs through fragments)', () => {
    const shape = shapeOf('{ a { ...F ...F ...F } } fragment F on T { x1: b x2: b }');
    expect(shape.aliases).toBe(6);
  });

  it('counts a large alias bomb', () => {
    const fields = Array.from({ length: 500 }, (_, i) => `a${i}: __typename`).join(' ');
    expect(shapeOf(`{ ${fields} }`).aliases).toBe(500);
  });

  it('counts expanded fields without expanding: a fragment fan-out bomb is measured, not walked', () => {
    const levels = 30; // 2^30 fields if expanded
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on T { ${i === levels - 1 ? 'leaf' : `...F${i + 1} ...F${i + 1}`} }`).join(' ');
    expect(shapeOf(`{ a { ...F0 } } ${fragments}`).fields).toBe(2 ** (levels - 1) + 1);
    expect(shapeOf('{ a { b c ...F ...F } } fragment F on T { d e }').fields).toBe(7);
  });

  it('counts root fields through fragments', () => {
    expect(shapeOf('{ a b ...R } fragment R on Query { c d }').rootFields).toBe(4);
  });

  it('survives fragment cycles and unknown fragments (validation reports them later)', () => {
    const shape = shapeOf('{ a { ...A } } fragment A on T { b { ...B } } fragment B on T { c { ...A } ...Missing }');
    expect(shape.depth).toBeGreaterThan(0);
    expect(Number.isFinite(shape.depth)).toBe(true);
  });
});

describe('checkOperationLimits', () => {
  const limits = { maxDepth: 3, maxAliases: 2, maxRootFields: 2, maxFields: 10 };

  it('passes at exactly the limit and fails one above', () => {
    expect(checkOperationLimits({ depth: 3, aliases: 2, rootFields: 2, fields: 10 }, limits)).toBeUndefined();
    expect(checkOperationLimits({ depth: 4, aliases: 0, rootFields: 1, fields: 1 }, limits)).toEqual({ code: 'MAX_DEPTH_LIMIT', actual: 4, max: 3 });
    expect(checkOperationLimits({ depth: 1, aliases: 3, rootFields: 1, fields: 1 }, limits)).toEqual({ code: 'MAX_ALIASES_LIMIT', actual: 3, max: 2 });
    expect(checkOperationLimits({ depth: 1, aliases: 0, rootFields: 3, fields: 3 }, limits)).toEqual({ code: 'MAX_ROOT_FIELDS_LIMIT', actual: 3, max: 2 });
    expect(checkOperationLimits({ depth: 1, aliases: 0, rootFields: 1, fields: 11 }, limits)).toEqual({ code: 'MAX_FIELDS_LIMIT', actual: 11, max: 10 });
  });

  it('treats 0 as off', () => {
    expect(checkOperationLimits({ depth: 99, aliases: 99, rootFields: 99, fields: 99 }, { maxDepth: 0, maxAliases: 0, maxRootFields: 0, maxFields: 0 })).toBeUndefined();
  });
});
