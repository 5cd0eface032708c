import { GatewayError, isGatewayError } from '../errors/gateway-error.ts';
import { parseStanza, type Stanza } from '../xmpp/codec/index.ts';
import { Bounced, sendOrBounce } from './bounced.ts';
import { callerOf } from './scope-guard.ts';
import { builder, type GraphqlContext } from './builder.ts';
import { iqFailures, IqRef, requestIq, timeoutMsDescription } from './iq.ts';
import { StanzaRef } from './stanza.ts';

/**
 * `sendStanza(xml)`: the raw passthrough. The XML goes through exactly the /rest parser and
 * stanza rules, with one addition: iq `result`/`error` replies are allowed, so that a bot can
 * answer an inbound iq it saw on a subscription (docs/contract.md, "Exactly one reply to every
 * inbound iq").
 */
interface SendStanzaOutcome {
  sent: Stanza;
  result: Stanza | null;
}

const SendStanzaSuccess = builder.objectRef<SendStanzaOutcome>('SendStanzaSuccess').implement({
  fields: (t) => ({
    sent: t.field({
      type: StanzaRef,
      description: 'The stanza as sent (normalised JIDs, generated id).',
      resolve: (outcome) => outcome.sent,
    }),
    // Not `reply`: StanzaErrorReply.reply (non-null) shares the union's selection sets.
    result: t.field({
      type: IqRef,
      nullable: true,
      description: 'For an iq get/set: its `type="result"` reply. Null for anything else.',
      resolve: (outcome) => outcome.result,
    }),
  }),
});

function parse(ctx: GraphqlContext, xml: string): Stanza {
  try {
    return parseStanza(xml, { ...ctx.core.rules, allowIqReplies: true, maxBytes: ctx.maxStanzaBytes });
  } catch (error) {
    // Parser failures concern the argument as a whole; rule failures name their attribute.
    if (isGatewayError(error) && error.field === undefined)
      throw new GatewayError(error.kind, { field: 'xml', cause: error });
    throw error;
  }
}

/**
 * An iq result/error answers a pending inbound iq: sent with core.reply (still accepted while
 * the gateway stops), and given back to the pending ones if the send fails, so that the
 * requester still gets its one reply (a retry, or the gateway's timeout answer).
 */
async function answerIq(ctx: GraphqlContext, reply: Stanza): Promise<Stanza> {
  const claim = ctx.subscriptions.answers.claim(reply);
  try {
    // The claimed reply, whose `from` is the address the inbound iq was sent to.
    callerOf(ctx).authorizeSend(claim.reply);
    await ctx.core.reply(claim.reply);
  } catch (error) {
    claim.release();
    throw error;
  }
  return claim.reply;
}

builder.mutationField('sendStanza', (t) =>
  t.field({
    type: SendStanzaSuccess,
    description:
      'Sends one stanza given as raw XML, validated exactly as POST /rest. A message or presence resolves once ' +
      'the XMPP server has processed it (`Bounced` if it refused it at once); an iq get/set resolves with its ' +
      'reply; an iq result/error answers a pending inbound iq (or is refused).',
    args: {
      xml: t.arg.string({ required: true }),
      timeoutMs: t.arg.int({ description: timeoutMsDescription }),
    },
    errors: { types: [Bounced, ...iqFailures], directResult: true, union: { name: 'SendStanzaResult' } },
    resolve: async (_root, { xml, timeoutMs }, ctx) => {
      const stanza = parse(ctx, xml);
      if (stanza.isIqRequest) return { sent: stanza, result: await requestIq(ctx, stanza, timeoutMs) };
      if (stanza.kind === 'iq') return { sent: await answerIq(ctx, stanza), result: null };
      return { sent: await sendOrBounce(ctx, stanza), result: null };
    },
  }),
);
