import fc from 'fast-check';
import { execute, type ExecutionResult, parse } from 'graphql';
import { Element } from 'ltx';
import { isGatewayError } from '../../src/errors/gateway-error.ts';
import { BearerAuth } from '../../src/auth/bearer-auth.ts';
import { schema, type GraphqlContext } from '../../src/schema/index.ts';
import type { InboundSubscriptions } from '../../src/subscribers/inbound-subscriptions.ts';
import type { FinishedExchange } from '../../src/webhooks/reply-rules.ts';
import { applyReplyRules } from '../../src/webhooks/reply-rules.ts';
import { decodeInbound, parseStanza, type Stanza } from '../../src/xmpp/codec/index.ts';
import type { XmppCore } from '../../src/xmpp/core.ts';
import { anyText, damagedXml, jid, OWN_DOMAIN, xmlFragment } from './fuzz-arbitraries.ts';

/**
 * The input paths of the gateway, driven in-process against the real link: the same codec calls
 * /rest makes, the real GraphQL schema executed with the real context (typed fields, JIDs,
 * sendStanza, payloads), and the webhook reply rules followed by the core's reply. Each job says
 * what happened: `sent`, `refused:<kind>` (a documented 4xx), or `unexpected:<what>` (a 5xx, a
 * masked error, a throw that is not the gateway's own).
 */
export type Job =
  | { path: 'rest'; xml: string }
  | { path: 'sendStanza'; xml: string }
  | { path: 'webhookReply'; kind: 'message' | 'presence' | 'iq'; xml: string }
  | { path: 'graphql'; operation: keyof typeof DOCUMENTS; variables: Record<string, unknown> };

export const DOCUMENTS = {
  sendMessage: `mutation($input: SendMessageInput!) { sendMessage(input: $input) { __typename ... on InvalidInput { kind } ... on Refused { kind } ... on Unavailable { kind } } }`,
  sendPresence: `mutation($input: SendPresenceInput!) { sendPresence(input: $input) { __typename ... on InvalidInput { kind } ... on Unavailable { kind } } }`,
  sendIq: `mutation($input: SendIqInput!) { sendIq(input: $input, timeoutMs: 500) { __typename ... on InvalidInput { kind } ... on Refused { kind } ... on Unavailable { kind } ... on IqTimeout { kind } } }`,
  discoInfo: `query($to: JID!, $node: String) { discoInfo(to: $to, node: $node, timeoutMs: 500) { __typename ... on InvalidInput { kind } ... on Unavailable { kind } ... on IqTimeout { kind } } }`,
  ping: `query($to: JID!) { ping(to: $to, timeoutMs: 500) { __typename ... on InvalidInput { kind } ... on Unavailable { kind } ... on IqTimeout { kind } } }`,
  archive: `query($to: JID!, $with: JID, $after: String, $before: String, $max: Int) { archive(to: $to, with: $with, after: $after, before: $before, max: $max, timeoutMs: 500) { __typename ... on InvalidInput { kind } ... on Unavailable { kind } ... on IqTimeout { kind } } }`,
  sendStanza: `mutation($xml: String!) { sendStanza(xml: $xml, timeoutMs: 500) { __typename ... on InvalidInput { kind } ... on Refused { kind } ... on Unavailable { kind } ... on IqTimeout { kind } } }`,
};
const parsed = Object.fromEntries(Object.entries(DOCUMENTS).map(([name, source]) => [name, parse(source)]));

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { freq: 2, nil: undefined });
export const sendMessageInput = fc.record({
  to: jid,
  from: optional(fc.constantFrom(OWN_DOMAIN, `bot@${OWN_DOMAIN}/x`, 'alice@localhost')),
  id: optional(anyText),
  lang: optional(anyText),
  type: optional(fc.constantFrom('CHAT', 'NORMAL', 'HEADLINE', 'GROUPCHAT', 'ERROR')),
  body: optional(anyText),
  subject: optional(anyText),
  thread: optional(anyText),
  payloads: optional(fc.array(xmlFragment, { maxLength: 2 })),
});
const sendPresence = fc.record({
  to: optional(jid),
  id: optional(anyText),
  status: optional(anyText),
  priority: optional(fc.integer({ min: -200, max: 200 })),
  payloads: optional(fc.array(xmlFragment, { maxLength: 2 })),
});

export const job: fc.Arbitrary<Job> = fc.oneof(
  { weight: 5, arbitrary: damagedXml.map((xml) => ({ path: 'rest' as const, xml })) },
  { weight: 2, arbitrary: damagedXml.map((xml) => ({ path: 'sendStanza' as const, xml })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('message' as const, 'presence' as const, 'iq' as const), damagedXml)
      .map(([kind, xml]) => ({ path: 'webhookReply' as const, kind, xml })),
  },
  { weight: 3, arbitrary: sendMessageInput.map((input) => graphqlJob('sendMessage', { input })) },
  { weight: 1, arbitrary: sendPresence.map((input) => graphqlJob('sendPresence', { input })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ to: jid, type: fc.constantFrom('GET', 'SET'), id: optional(anyText), payload: xmlFragment })
      .map((input) => graphqlJob('sendIq', { input })),
  },
  { weight: 1, arbitrary: fc.record({ to: jid, node: optional(anyText) }).map((v) => graphqlJob('discoInfo', v)) },
  { weight: 1, arbitrary: jid.map((to) => graphqlJob('ping', { to })) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        to: jid,
        with: optional(jid),
        after: optional(anyText),
        before: optional(anyText),
        max: optional(fc.integer({ min: -5, max: 20 })),
      })
      .map((v) => graphqlJob('archive', v)),
  },
);

function graphqlJob(operation: keyof typeof DOCUMENTS, variables: Record<string, unknown>): Job {
  return { path: 'graphql', operation, variables };
}

export interface FuzzTarget {
  core: XmppCore;
  restMaxBytes: number;
  subscriptions: InboundSubscriptions;
  /** Iq requests sent without waiting for the reply (as /rest's long-poll does, in parallel). */
  inFlight: Promise<string>[];
}

export async function runJob(target: FuzzTarget, item: Job): Promise<string> {
  try {
    if (item.path === 'rest') return send(target, parseStanza(Buffer.from(item.xml), restRules(target)));
    if (item.path === 'webhookReply') return await webhookReply(target, item.kind, item.xml);
    if (item.path === 'sendStanza') return await graphql(target, 'sendStanza', { xml: item.xml });
    return await graphql(target, item.operation, item.variables);
  } catch (error) {
    return outcomeOf(error);
  }
}

/**
 * A 4xx is a refusal; an iq nobody answered is a timeout (Prosody stays silent for some
 * addresses, e.g. a resource that its resourceprep maps to nothing); any other failure is not
 * what the gateway promises.
 */
function outcomeOf(error: unknown): string {
  if (isGatewayError(error) && error.http < 500) return `refused:${error.kind}`;
  if (isGatewayError(error) && error.kind === 'iq-timeout') return 'timeout';
  return `unexpected:${isGatewayError(error) ? error.kind : String(error)}`;
}

const restRules = (target: FuzzTarget) => ({ ...target.core.rules, maxBytes: target.restMaxBytes });

async function send(target: FuzzTarget, stanza: Stanza): Promise<string> {
  if (!stanza.isIqRequest) {
    await target.core.send(stanza);
    return 'sent';
  }
  target.inFlight.push(
    target.core.request(stanza, 500).then(
      () => 'replied',
      (error: unknown) => outcomeOf(error),
    ),
  );
  return 'sent';
}

const FUZZ_TOKEN = 'fuzz-token-0123456789';
const fuzzAuth = new BearerAuth([FUZZ_TOKEN]);

async function graphql(target: FuzzTarget, operation: keyof typeof DOCUMENTS, variables: Record<string, unknown>) {
  const contextValue: GraphqlContext = {
    core: target.core,
    subscriptions: target.subscriptions,
    journal: undefined,
    iqTimeout: { defaultMs: 500, maxMs: 500 },
    maxStanzaBytes: target.restMaxBytes,
    maxArchiveResults: 10,
    deliveryLog: undefined,
    webhookStatus: undefined,
    subscriptionBufferMax: 10,
    role: () => 'single',
    // As the mount authenticates every operation: an API_TOKENS entry, every right.
    identity: fuzzAuth.identify(FUZZ_TOKEN),
  };
  const result = (await execute({
    schema,
    document: parsed[operation]!,
    variableValues: variables,
    contextValue,
  })) as ExecutionResult<Record<string, { __typename: string; kind?: string }>>;
  if (result.errors?.length) {
    const codes = result.errors.map((error) => error.extensions?.code);
    return codes.every((code) => code === 'BAD_USER_INPUT')
      ? 'refused:BAD_USER_INPUT'
      : `unexpected:${result.errors[0]!.message}`;
  }
  const outcome = Object.values(result.data ?? {})[0];
  if (!outcome) return 'unexpected:no data';
  if (outcome.__typename === 'InvalidInput' || outcome.__typename === 'Refused') return `refused:${outcome.kind}`;
  if (outcome.__typename === 'IqTimeout') return 'timeout';
  if (outcome.__typename === 'Unavailable') return `unexpected:${outcome.kind}`;
  return 'sent';
}

/** An inbound stanza from a user to the bot, and the callback's 200 answer carrying `xml`. */
async function webhookReply(target: FuzzTarget, given: 'message' | 'presence' | 'iq', xml: string): Promise<string> {
  // Mostly a reply of the request's kind (the rules refuse any other), so that most get through.
  const kind = (/^(?:<\?xml[^>]*\?>)?<(message|presence|iq)\b/.exec(xml)?.[1] ?? given) as typeof given;
  const inbound = new Element(kind, {
    from: 'alice@localhost/phone',
    to: `bot@${OWN_DOMAIN}`,
    id: 'w1',
  });
  if (kind === 'iq') inbound.attrs.type = 'get';
  if (kind === 'iq') inbound.cnode(new Element('query', { xmlns: 'urn:example:fuzz' }));
  const request = decodeInbound(inbound, OWN_DOMAIN)!;
  const body = Buffer.from(xml);
  const exchange: FinishedExchange = {
    kind: 'response',
    status: 200,
    reason: 'OK',
    headers: { 'content-type': 'application/xmpp+xml' },
    body,
    excerpt: '',
    truncated: false,
    durationMs: 0,
  };
  const verdict = applyReplyRules(request, exchange, target.core.rules, target.restMaxBytes);
  // Whatever the verdict, its reply goes out as the dispatcher sends it (an iq's error too).
  if (verdict.reply) await target.core.reply(verdict.reply);
  return verdict.outcome === 'replied' ? 'sent' : `refused:${verdict.outcome}`;
}
