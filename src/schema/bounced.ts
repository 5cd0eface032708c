import type { StanzaErrorValue } from '../errors/stanza-error.ts';
import { readStanzaError, type Stanza } from '../xmpp/codec/index.ts';
import { callerOf } from './scope-guard.ts';
import { builder, type GraphqlContext } from './builder.ts';
import { ErrorInterface, StanzaErrorRef } from './errors.ts';
import { StanzaRef } from './stanza.ts';

/**
 * The XMPP server refused a message or presence at once (a local user that does not exist, a
 * groupchat message to a user): its error stanza, which came back before the acknowledgement
 * of the send, is the mutation's answer, as /rest answers it with 200 and the error stanza.
 */
export class Bounced extends Error {
  readonly error: StanzaErrorValue;

  constructor(readonly bounce: Stanza) {
    const error = readStanzaError(bounce) ?? { type: 'cancel', condition: 'undefined-condition' };
    super(error.text ?? error.condition);
    this.name = 'Bounced';
    this.error = error;
  }

  get type(): StanzaErrorValue['type'] {
    return this.error.type;
  }

  get condition(): string {
    return this.error.condition;
  }
}

builder.objectType(Bounced, {
  name: 'Bounced',
  description:
    'The XMPP server returned an error for the stanza as soon as it processed it (e.g. `cancel/service-unavailable` for a local user that does not exist). Nothing was delivered.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof Bounced,
  fields: (t) => ({
    error: t.field({ type: StanzaErrorRef, resolve: (failure) => failure.error }),
    text: t.string({ nullable: true, resolve: (failure) => failure.error.text ?? null }),
    bounce: t.field({
      type: StanzaRef,
      description: 'The whole error stanza, as the server sent it.',
      resolve: (failure) => failure.bounce,
    }),
  }),
});

/** Sends a message or presence through the core; a bounce is thrown as Bounced, for the result union. */
export async function sendOrBounce(ctx: GraphqlContext, stanza: Stanza): Promise<Stanza> {
  callerOf(ctx).authorizeSend(stanza);
  const bounce = await ctx.core.send(stanza);
  if (bounce) throw new Bounced(bounce);
  return stanza;
}
