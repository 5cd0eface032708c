import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type GraphQLEnumType, type GraphQLScalarType, Kind, parseValue } from 'graphql';
import { failureGroups } from '../../src/errors/failure-groups.ts';
import { failures, type FailureKind } from '../../src/errors/failures.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { graphqlErrorOf, InvalidInput, IqTimeout, Refused, Unavailable } from '../../src/schema/errors.ts';
import { schema } from '../../src/schema/index.ts';

describe('GatewayError → GraphQL result members', () => {
  const members = { input: InvalidInput, unavailable: Unavailable, timeout: IqTimeout, refused: Refused } as const;

  for (const kind of Object.keys(failures) as FailureKind[]) {
    const group = failureGroups[kind];
    const none = group === 'transport' || group === 'internal' ? 'this group' : '-';
    it(`${kind} (${group}) is exactly one member, or none for ${none}`, () => {
      const error = new GatewayError(kind);
      const matched = Object.entries(members)
        .filter(([, member]) => error instanceof member)
        .map(([name]) => name);
      assert.deepEqual(matched, group in members ? [group] : []);
    });
  }

  it('every member is in the schema and implements Error', () => {
    for (const name of ['InvalidInput', 'Unavailable', 'IqTimeout', 'Refused', 'StanzaErrorReply']) {
      const type = schema.getType(name);
      assert.ok(type && 'getInterfaces' in type, name);
      assert.deepEqual(
        type.getInterfaces().map((iface) => iface.name),
        ['Error'],
      );
    }
  });

  it('other errors are no member (they stay unexpected and masked)', () => {
    assert.equal(new Error('boom') instanceof InvalidInput, false);
    assert.equal(({ kind: 'link-down' } as object) instanceof Unavailable, false);
  });

  it('keeps the field and the retry hint', () => {
    const error = new GatewayError('link-down', { field: 'to', retryAfterSeconds: 3 });
    assert.ok(error instanceof Unavailable);
    assert.equal(error.field, 'to');
    assert.equal(error.retryAfterSeconds, 3);
  });

  it('graphqlErrorOf: the kind as code, the stanza error type and condition beside it', () => {
    const json = graphqlErrorOf(new GatewayError('subscriber-overflow')).toJSON();
    assert.deepEqual(json, {
      message: failures['subscriber-overflow'].text,
      extensions: { code: 'SUBSCRIBER_OVERFLOW', type: 'wait', condition: 'resource-constraint' },
    });
  });

  it('the FailureKind enum lists every row of the failure table', () => {
    const values = (schema.getType('FailureKind') as GraphQLEnumType).getValues().map((value) => value.value as string);
    assert.deepEqual(values.sort(), Object.keys(failures).sort());
  });
});

describe('JID scalar', () => {
  const jid = schema.getType('JID') as GraphQLScalarType;

  it('normalises what it accepts', () => {
    assert.equal(jid.parseValue('ALICE@LocalHost/Phone')?.toString(), 'alice@localhost/Phone');
    assert.equal(jid.serialize('Bot@Rest.Example.NET'), 'bot@rest.example.net');
    assert.equal(jid.parseLiteral(parseValue('"Example.COM"'))?.toString(), 'example.com');
  });

  for (const bad of ['', 'a@@b', 'alice smith@localhost', '@localhost', 'localhost/', 42, null, { jid: 'a@b' }]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => jid.parseValue(bad), /Invalid JID/);
    });
  }

  it('refuses a literal that is not a string, with its location', () => {
    const literal = { kind: Kind.INT, value: '5', loc: undefined } as const;
    assert.throws(() => jid.parseLiteral(literal), /Invalid JID/);
  });
});
