import type { CoreStatus, StanzaCounters } from '../xmpp/core.ts';
import type { LinkState, LinkStatus } from '../xmpp/link.ts';
import { builder } from './builder.ts';
import { enumValues } from './enum-values.ts';

/** `status`: the state of the XMPP link and what went through it, for dashboards and probes. */
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

interface StatusView {
  core: CoreStatus;
  subscriptions: number;
  overflows: number;
  pendingAnswers: number;
}

export const StatusRef = builder.objectRef<StatusView>('Status').implement({
  fields: (t) => ({
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
    resolve: (_root, _args, { core, subscriptions }) => ({
      core: core.status(),
      subscriptions: subscriptions.count,
      overflows: subscriptions.overflows,
      pendingAnswers: subscriptions.answers.size,
    }),
  }),
);
