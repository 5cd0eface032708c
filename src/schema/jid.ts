import { Kind } from 'graphql';
import { type Jid, parseJid } from '../xmpp/jid.ts';
import { builder } from './builder.ts';

/**
 * Parses a JID argument. The plain TypeError is deliberate: graphql-js wraps it into an error
 * that names the argument or variable path and its location (a GraphQLError would be reported
 * as it is, without them).
 */
export function jidFromInput(value: unknown): Jid {
  const jid = typeof value === 'string' ? parseJid(value) : undefined;
  if (!jid) throw new TypeError(`Invalid JID: ${JSON.stringify(value)}`);
  return jid;
}

builder.scalarType('JID', {
  description:
    'An XMPP address (RFC 7622), validated and normalised as /rest does: `ALICE@LocalHost/Phone` becomes `alice@localhost/Phone`.',
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc7622',
  serialize: (value) => (typeof value === 'string' ? jidFromInput(value) : value).toString(),
  parseValue: (value) => jidFromInput(value),
  // A literal of another kind (a number, an object) is as invalid as a malformed string.
  parseLiteral: (ast) => jidFromInput(ast.kind === Kind.STRING ? ast.value : undefined),
});
