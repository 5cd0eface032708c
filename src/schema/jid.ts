import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { type Jid, parseJid } from '../xmpp/jid.ts';
import { builder } from './builder.ts';

/**
 * Parses a JID argument. A GraphQLError, so that yoga does not mask it: graphql-js prefixes
 * it with the variable path (`"$input" … at "input.to"`); a literal carries its location.
 */
export function jidFromInput(value: unknown, node?: ValueNode): Jid {
  const jid = typeof value === 'string' ? parseJid(value) : undefined;
  if (!jid)
    throw new GraphQLError(`Invalid JID: ${JSON.stringify(value)}`, {
      nodes: node,
      extensions: { code: 'BAD_USER_INPUT' },
    });
  return jid;
}

builder.scalarType('JID', {
  description:
    'An XMPP address (RFC 7622), validated and normalised as /rest does: `ALICE@LocalHost/Phone` becomes ' +
    '`alice@localhost/Phone`.',
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc7622',
  serialize: (value) => (typeof value === 'string' ? jidFromInput(value) : value).toString(),
  parseValue: (value) => jidFromInput(value),
  // A literal of another kind (a number, an object) is as invalid as a malformed string.
  parseLiteral: (ast) => jidFromInput(ast.kind === Kind.STRING ? ast.value : undefined, ast),
});
