import type { CoreStatus, StanzaCounters } from '../xmpp/core.ts';
import type { LinkState, LinkStatus } from '../xmpp/link.ts';
import { operations } from '../auth/operations.ts';
import { GATEWAY_ROLES, type GatewayRole } from '../ha/role.ts';
import { patternTexts, type Scope } from '../auth/scope.ts';
import type { Rate } from '../auth/token-bucket.ts';
import { builder } from './builder.ts';
import { requireOperation } from './scope-guard.ts';
import { enumValues } from './enum-values.ts';

/**
 * `status`: the state of the XMPP link and what went through it, for dashboards and probes, and
 * the asking token's own scope. A scoped token needs `status`.
 */
const LINK_STATES: readonly LinkState[] = [
  'idle',
  'connecting',
  'checking',
  'standby',
  'online',
  'waiting',
  'failed',
  'stopped',
];

const LinkStateEnum = builder.enumType('LinkState', {
  values: enumValues(
    LINK_STATES,
    (state) =>
      ({
        idle: 'Not started yet.',
        connecting: 'Connecting or authenticating.',
        checking: 'Authenticated; checking that no other connection serves the component domain.',
        standby:
          'Connected but not online: another connection serves the component domain. Stanzas that reach this one are relayed to it; this one takes over when it goes.',
        online: 'Connected: stanzas flow.',
        waiting: 'Disconnected; the next attempt is scheduled (retryAt).',
        failed: 'Refused by the server for good (wrong domain or secret); not retrying.',
        stopped: 'The gateway is stopping.',
      })[state],
  ),
});

const Link = builder.objectRef<LinkStatus>('Link').implement({
  fields: (t) => ({
    state: t.field({ type: LinkStateEnum, resolve: (link) => link.state }),
    since: t.field({ type: 'DateTime', resolve: (link) => link.since }),
    lastError: t.string({ nullable: true, resolve: (link) => link.lastError ?? null }),
    retryAt: t.field({ type: 'DateTime', nullable: true, resolve: (link) => link.retryAt ?? null }),
    connects: t.exposeInt('connects'),
    reconnects: t.exposeInt('reconnects'),
  }),
});

const StanzaCounts = builder.objectRef<StanzaCounters['in']>('StanzaCounts').implement({
  fields: (t) => ({
    message: t.exposeInt('message'),
    presence: t.exposeInt('presence'),
    iq: t.exposeInt('iq'),
    total: t.int({ resolve: (counts) => counts.message + counts.presence + counts.iq }),
  }),
});

/** The caller's own token, as `status` shows it: never the secret. */
const TokenRate = builder.objectRef<Rate>('TokenRate').implement({
  description: "A scoped token's rate: sends per second, and how many may go at once.",
  fields: (t) => ({
    perSecond: t.exposeFloat('perSecond'),
    burst: t.exposeInt('burst'),
  }),
});

const TokenScope = builder.objectRef<Scope>('TokenScope').implement({
  description:
    "The scope of the token that asked: `from` and `see` as configured (`all`: anything at the domain). API_TOKENS' entries have every right.",
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The name in logs and metrics (`api-token-N` for API_TOKENS).' }),
    from: t.stringList({
      description: 'Address patterns it may send as.',
      resolve: (scope) => patternTexts(scope.from),
    }),
    see: t.stringList({
      description: 'Address patterns of the inbound stanzas its subscriptions receive (by `to`).',
      resolve: (scope) => patternTexts(scope.see),
    }),
    can: t.stringList({
      description: 'Its operations: send, iq, subscribe, deliveries, redeliver, status.',
      resolve: (scope) => operations.filter((operation) => scope.may(operation)),
    }),
    rate: t.field({ type: TokenRate, nullable: true, resolve: (scope) => scope.rate ?? null }),
  }),
});

const GatewayRoleEnum = builder.enumType('GatewayRole', {
  values: enumValues(
    GATEWAY_ROLES,
    (role) =>
      ({
        single: 'HA_ELECTION is off: this gateway serves alone.',
        leader: 'Elected among the gateways of this domain: it holds the link and delivers the webhooks.',
        standby:
          'Another gateway of this domain is the leader: this one answers 503 (but `status`) and takes over when the leader goes.',
        'stepped-down':
          'It lost the leader lease (or, elected, could not start its journal or delivery log), closed its link, and exits.',
      })[role],
  ),
});

interface StatusView {
  role: GatewayRole;
  token: Scope;
  core: CoreStatus;
  subscriptions: number;
  overflows: number;
  pendingAnswers: number;
}

export const StatusRef = builder.objectRef<StatusView>('Status').implement({
  fields: (t) => ({
    token: t.field({
      type: TokenScope,
      description: 'The scope of the token that asked.',
      resolve: (view) => view.token,
    }),
    role: t.field({
      type: GatewayRoleEnum,
      description: "This process's role among the gateways of its domain (HA_ELECTION).",
      resolve: (view) => view.role,
    }),
    link: t.field({ type: Link, resolve: ({ core }) => core.link }),
    domain: t.string({ description: 'The component domain (XMPP_DOMAIN).', resolve: ({ core }) => core.domain }),
    server: t.string({ description: 'The XMPP server endpoint (XMPP_SERVICE).', resolve: ({ core }) => core.service }),
    startedAt: t.field({ type: 'DateTime', resolve: ({ core }) => core.startedAt }),
    uptimeSeconds: t.float({ resolve: ({ core }) => (Date.now() - core.startedAt.getTime()) / 1000 }),
    stanzasIn: t.field({ type: StanzaCounts, resolve: ({ core }) => core.counters.in }),
    stanzasOut: t.field({ type: StanzaCounts, resolve: ({ core }) => core.counters.out }),
    pendingIqs: t.int({ description: 'Sent iqs waiting for their reply.', resolve: ({ core }) => core.pendingIqs }),
    queuedSends: t.int({ description: 'Stanzas waiting for the link.', resolve: ({ core }) => core.queuedSends }),
    subscriptions: t.int({ description: 'Open `stanzas` subscriptions.', resolve: (view) => view.subscriptions }),
    subscriptionOverflows: t.int({
      description: 'Subscriptions ended because their subscriber fell behind.',
      resolve: (view) => view.overflows,
    }),
    pendingAnswers: t.int({
      description: 'Inbound iqs waiting for a subscriber to answer.',
      resolve: (view) => view.pendingAnswers,
    }),
  }),
});

builder.queryField('status', (t) =>
  t.field({
    type: StatusRef,
    resolve: (_root, _args, ctx) => ({
      role: ctx.role(),
      token: requireOperation(ctx, 'status').scope!,
      core: ctx.core.status(),
      subscriptions: ctx.subscriptions.count,
      overflows: ctx.subscriptions.overflows,
      pendingAnswers: ctx.subscriptions.answers.size,
    }),
  }),
);
