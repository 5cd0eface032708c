import { GatewayError } from '../errors/gateway-error.ts';
import { resumableStanzas } from '../subscribers/resumable-stanzas.ts';
import { builder } from './builder.ts';
import { requireOperation, subscriberAccess } from './scope-guard.ts';
import { graphqlErrorOf } from './errors.ts';
import { StanzaKindEnum, StanzaRef } from './stanza.ts';

/**
 * `stanzas(filter)`: every inbound stanza routed to the component, live, over graphql-ws or SSE.
 * Each subscription has a bounded buffer (SUBSCRIPTION_BUFFER_MAX); a subscriber that falls
 * that far behind gets the events buffered so far, then the error SUBSCRIBER_OVERFLOW, and its
 * subscription ends (docs/graphql.md). Subscribing also makes the subscriber one that may answer
 * the inbound iqs it sees, unless it only observes (docs/contract.md, "Exactly one reply to
 * every inbound iq"). A scoped token needs `subscribe` and receives only what its `see` allows.
 * With the inbound journal on, `after` resumes from a stanza's `cursor`: what
 * matched since, then live, nothing lost or twice at the seam (src/subscribers/resumable-stanzas.ts).
 */
const StanzaFilterInput = builder.inputType('StanzaFilter', {
  description: 'Each list is "any of"; the lists combine with "and"; an absent or empty list lets everything through.',
  fields: (t) => ({
    kinds: t.field({ type: [StanzaKindEnum] }),
    types: t.stringList({
      description: 'Type attribute values; a message without type is `normal`, a presence without type is `available`.',
    }),
    from: t.field({ type: ['JID'], description: 'A bare JID matches all its resources; a full JID matches exactly.' }),
    to: t.field({ type: ['JID'], description: 'Addresses at the component domain; same matching as `from`.' }),
    xmlns: t.stringList({
      description: 'Namespaces of child elements (e.g. `urn:xmpp:ping`); `jabber:client` matches body/subject/thread.',
    }),
  }),
});

builder.subscriptionField('stanzas', (t) =>
  t.field({
    type: StanzaRef,
    description: 'Inbound stanzas routed to the component domain or any address at it, as they arrive.',
    args: {
      filter: t.arg({ type: StanzaFilterInput }),
      observe: t.arg.boolean({
        defaultValue: false,
        description:
          'true: only watch. The inbound iqs this subscription sees are not held for its answer, ' +
          'so a watcher (a console, a log tail) never changes what their senders get.',
      }),
      after: t.arg.string({
        required: false,
        description:
          'A `cursor` of an earlier stanza: first every stanza that matched since then, in arrival order, ' +
          'then live ones, none missing or twice. Needs the inbound journal (INBOUND_JOURNAL_DAYS); errors: ' +
          'JOURNAL_OFF, BAD_CURSOR, CURSOR_EXPIRED (pruned since), DATABASE_UNAVAILABLE.',
      }),
    },
    subscribe: (_root, { filter, observe, after }, ctx) => {
      const access = subscriberAccess(requireOperation(ctx, 'subscribe'));
      if (after === null || after === undefined)
        return ctx.subscriptions.subscribe(filter ?? {}, graphqlErrorOf, observe ?? false, access);
      if (!ctx.journal) throw graphqlErrorOf(new GatewayError('journal-off', { field: 'after' }));
      return resumableStanzas(
        ctx.subscriptions,
        ctx.journal,
        { filter: filter ?? {}, after, observe: observe ?? false, access },
        graphqlErrorOf,
      );
    },
    resolve: (stanza) => stanza,
  }),
);
