import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphQLError, isInputObjectType, isScalarType, Kind, parseValue } from 'graphql';
import { UUID_PATTERN, decodeCursor, encodeCursor } from '../../src/db/cursor.ts';
import { schema } from '../../src/schema/index.ts';

/** Scalars and ids that cross the schema edge: what they accept is what the resolvers can trust. */
describe('JSON scalar', () => {
  const json = schema.getType('JSON');
  assert.ok(isScalarType(json));

  it('serializes any value as it is', () => {
    assert.deepEqual(json.serialize({ a: [1, 'two', null] }), { a: [1, 'two', null] });
  });

  it('refuses input, as a variable or a literal, with a clear message', () => {
    assert.throws(
      () => json.parseValue({ a: 1 }),
      (error) => error instanceof GraphQLError && /output-only/.test(error.message),
    );
    assert.throws(() => json.parseLiteral(parseValue('{ a: 1 }')), /output-only/);
    assert.throws(() => json.parseLiteral({ kind: Kind.STRING, value: 'x' }), /output-only/);
  });

  it('no argument or input field takes it', () => {
    const inputs: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields()))
          inputs.push(`${type.name}.${field.name}: ${String(field.type)}`);
      }
    }
    for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
      for (const field of Object.values(root?.getFields() ?? {})) {
        for (const arg of field.args) inputs.push(`${field.name}(${arg.name}: ${String(arg.type)})`);
      }
    }
    assert.ok(inputs.length > 10);
    assert.deepEqual(
      inputs.filter((input) => /\bJSON\b/.test(input)),
      [],
    );
  });
});

describe('delivery ids in cursors', () => {
  const id = '0192f0a1-7b3c-7def-8123-456789abcdef';

  it('one pattern for the store and the cursors: either case, nothing else', () => {
    assert.ok(UUID_PATTERN.test(id));
    assert.ok(UUID_PATTERN.test(id.toUpperCase()));
    assert.ok(!UUID_PATTERN.test(`${id}0`));
    assert.ok(!UUID_PATTERN.test(id.replaceAll('-', '')));
  });

  it('a cursor with an upper-case id decodes like the same id in lower case', () => {
    const createdAt = new Date(1_700_000_000_000);
    assert.deepEqual(decodeCursor(encodeCursor({ createdAt, id: id.toUpperCase() })), {
      createdAt,
      id: id.toUpperCase(),
    });
    assert.throws(() => decodeCursor(encodeCursor({ createdAt, id: 'not-a-uuid' })), { kind: 'bad-cursor' });
  });
});
