import { GatewayError } from '../errors/gateway-error.ts';
import type { StanzaErrorValue } from '../errors/stanza-error.ts';
import type { Element } from 'ltx';
import { readStanzaError, type Stanza } from '../xmpp/codec/index.ts';
import type { Jid } from '../xmpp/jid.ts';
import { callerOf } from './scope-guard.ts';
import { builder, type GraphqlContext } from './builder.ts';
import { enumValues } from './enum-values.ts';
import { ErrorInterface, IqTimeout, StanzaErrorRef, sendFailures } from './errors.ts';
import { buildStanza } from './stanza-input.ts';
import { StanzaRef } from './stanza.ts';
import { XmlElementRef } from './xml-element.ts';

/**
 * `<iq/>` (RFC 6120 §8.2.3) and the answer to a request: a `type="result"` reply is the
 * success; a `type="error"` reply is the `StanzaErrorReply` member of the result union, with
 * the whole reply still readable.
 */
const IQ_TYPES = ['get', 'set', 'result', 'error'] as const;
type IqType = (typeof IQ_TYPES)[number];

export const IqTypeEnum = builder.enumType('IqType', { values: enumValues(IQ_TYPES) });
export const IqRequestTypeEnum = builder.enumType('IqRequestType', { values: enumValues(['get', 'set'] as const) });

export const IqRef = builder.objectRef<Stanza>('Iq');

IqRef.implement({
  interfaces: [StanzaRef],
  isTypeOf: (stanza) => (stanza as Stanza).kind === 'iq',
  fields: (t) => ({
    type: t.field({
      type: IqTypeEnum,
      nullable: true,
      description: 'Null only for a type RFC 6120 does not define (the raw `xml` keeps it).',
      resolve: (stanza) =>
        (IQ_TYPES as readonly string[]).includes(stanza.type ?? '') ? (stanza.type as IqType) : null,
    }),
    payload: t.field({
      type: XmlElementRef,
      nullable: true,
      description: 'The child element other than `<error/>`: the query or its result. Null for an empty result.',
      resolve: (stanza) => stanza.payloads.find((child) => child.name !== 'error') ?? null,
    }),
  }),
});

/** The peer answered the iq with `type="error"`. */
export class StanzaErrorReply extends Error {
  readonly error: StanzaErrorValue;

  constructor(readonly reply: Stanza) {
    const error = readStanzaError(reply) ?? { type: 'cancel', condition: 'undefined-condition' };
    super(error.text ?? error.condition);
    this.name = 'StanzaErrorReply';
    this.error = error;
  }

  get type(): StanzaErrorValue['type'] {
    return this.error.type;
  }

  get condition(): string {
    return this.error.condition;
  }
}

builder.objectType(StanzaErrorReply, {
  name: 'StanzaErrorReply',
  description: 'The peer answered with an error stanza (e.g. `cancel/service-unavailable` for an offline resource).',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof StanzaErrorReply,
  fields: (t) => ({
    error: t.field({ type: StanzaErrorRef, resolve: (failure) => failure.error }),
    text: t.string({ nullable: true, resolve: (failure) => failure.error.text ?? null }),
    reply: t.field({ type: IqRef, description: 'The whole error reply.', resolve: (failure) => failure.reply }),
  }),
});

/** The error members of every mutation that waits for an iq reply. */
export const iqFailures = [StanzaErrorReply, IqTimeout, ...sendFailures];

/** The `timeoutMs` argument of every iq-sending mutation. */
export const timeoutMsDescription =
  'How long to wait for the reply, in ms; default IQ_TIMEOUT_MS, at most IQ_MAX_TIMEOUT_MS.';

/** The wait for an iq reply: the `timeoutMs` argument, checked and capped, or the default. */
export function iqTimeoutMs(ctx: GraphqlContext, timeoutMs: number | null | undefined): number {
  if (timeoutMs === null || timeoutMs === undefined) return ctx.iqTimeout.defaultMs;
  if (timeoutMs <= 0)
    throw new GatewayError('invalid-argument', { field: 'timeoutMs', text: 'timeoutMs must be positive' });
  return Math.min(timeoutMs, ctx.iqTimeout.maxMs);
}

/**
 * Sends an iq get/set through the core (as /rest does) and resolves with a result reply; an
 * error reply is thrown as StanzaErrorReply, for the result union.
 */
export async function requestIq(
  ctx: GraphqlContext,
  request: Stanza,
  timeoutMs: number | null | undefined,
): Promise<Stanza> {
  const wait = iqTimeoutMs(ctx, timeoutMs);
  callerOf(ctx).authorizeSend(request);
  const reply = await ctx.core.request(request, wait);
  if (reply.type === 'error') throw new StanzaErrorReply(reply);
  return reply;
}

/** The arguments of a read addressed to one JID (ping, version, last activity). */
export const targetArgs = builder.args((t) => ({
  to: t.field({ type: 'JID', required: true }),
  timeoutMs: t.int({ description: timeoutMsDescription }),
}));

/** An iq get carrying `payload` to `to`, answered as requestIq answers. */
export function getIq(ctx: GraphqlContext, to: Jid, payload: Element, timeoutMs: number | null | undefined) {
  return requestIq(ctx, buildStanza(ctx, 'iq', { to }, { type: 'get' }, [payload]), timeoutMs);
}
