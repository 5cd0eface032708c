import { GatewayError } from '../errors/gateway-error.ts';
import type { InboundJournal } from '../journal/inbound-journal.ts';
import { JOURNAL_MAX_PAGE } from '../journal/inbound-journal.ts';
import type { Stanza, StanzaKind } from '../xmpp/codec/index.ts';
import type { Jid } from '../xmpp/jid.ts';
import { builder, type GraphqlContext } from './builder.ts';
import { coded, graphqlErrorOf } from './errors.ts';
import { requireOperation } from './scope-guard.ts';
import { StanzaKindEnum, StanzaRef } from './stanza.ts';

/**
 * `inboundStanzas`: the inbound journal as a Relay connection (newest first), for frontends that
 * show history (a token needs `subscribe` and `see: all`); its cursors are the stanzas' own `cursor`s, so a page's startCursor is where
 * `stanzas(after:)` takes over live. Needs INBOUND_JOURNAL_DAYS > 0 (else JOURNAL_OFF).
 */
function journalOf(ctx: GraphqlContext): InboundJournal {
  if (!ctx.journal) throw new GatewayError('journal-off');
  return ctx.journal;
}

interface InboundEdge {
  cursor: string;
  receivedAt: Date;
  node: Stanza;
}

const InboundStanzaConnectionRef = builder.connectionObject(
  { type: StanzaRef, name: 'InboundStanzaConnection' },
  {
    name: 'InboundStanzaEdge',
    fields: (t) => ({
      receivedAt: t.field({
        type: 'DateTime',
        description: 'When the gateway received it.',
        resolve: (edge) => (edge as unknown as InboundEdge).receivedAt,
      }),
    }),
  },
);

const InboundStanzaFilterInput = builder.inputType('InboundStanzaFilter', {
  fields: (t) => ({
    kind: t.field({ type: StanzaKindEnum }),
    from: t.field({
      type: 'JID',
      description: 'The sender: a bare JID matches all its resources, a full JID exactly.',
    }),
    since: t.field({ type: 'DateTime', description: 'Received at or after.' }),
    until: t.field({ type: 'DateTime', description: 'Received before.' }),
  }),
});

interface FilterArgs {
  kind?: StanzaKind | null;
  from?: Jid | null;
  since?: Date | null;
  until?: Date | null;
}

function toFilter(filter: FilterArgs | null | undefined) {
  const from = filter?.from;
  return {
    kind: filter?.kind ?? undefined,
    sender: from ? (from.isBare() ? { bare: from.toString() } : { full: from.toString() }) : undefined,
    since: filter?.since ?? undefined,
    until: filter?.until ?? undefined,
  };
}

builder.queryField('inboundStanzas', (t) =>
  t.field({
    type: InboundStanzaConnectionRef,
    description:
      `The inbound journal, newest first. \`first\` is 1 to ${JOURNAL_MAX_PAGE} (default 20); \`after\` is an ` +
      "endCursor of an earlier page or any stanza's `cursor` (older ones follow). Needs INBOUND_JOURNAL_DAYS.",
    args: {
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
      filter: t.arg({ type: InboundStanzaFilterInput, required: false }),
    },
    resolve: (_root, { first, after, filter }, ctx) => {
      // The page is cut in SQL, so it cannot leave out what a narrower `see` hides: only a token
      // that sees everything may page the journal (as for the delivery log).
      const caller = requireOperation(ctx, 'subscribe');
      if (caller.scope?.see !== 'all')
        throw graphqlErrorOf(
          new GatewayError('operation-not-allowed', {
            text: `This token (${caller.name}) may not page the inbound journal: that needs see: all`,
          }),
        );
      return coded(() =>
        journalOf(ctx).page({ first: first ?? undefined, after: after ?? undefined, filter: toFilter(filter) }),
      );
    },
  }),
);
