import { Element } from 'ltx';
import type { Stanza } from '../xmpp/codec/index.ts';
import { type Jid, parseJid } from '../xmpp/jid.ts';
import { builder, type GraphqlContext } from './builder.ts';
import { getIq, IqRef, timeoutMsDescription } from './iq.ts';
import { readField } from './read-field.ts';

/** XEP-0030 service discovery: `discoInfo` (identities, features) and `discoItems`. */
const NS_INFO = 'http://jabber.org/protocol/disco#info';
const NS_ITEMS = 'http://jabber.org/protocol/disco#items';

interface DiscoOutcome {
  reply: Stanza;
  query: Element | undefined;
}

async function discoQuery(
  ctx: GraphqlContext,
  ns: string,
  to: Jid,
  node: string | null | undefined,
  timeoutMs?: number | null,
) {
  const query = new Element('query', node ? { xmlns: ns, node } : { xmlns: ns });
  const reply = await getIq(ctx, to, query, timeoutMs);
  return { reply, query: reply.element.getChild('query', ns) };
}

const DiscoIdentity = builder.simpleObject('DiscoIdentity', {
  fields: (t) => ({
    category: t.string(),
    type: t.string(),
    name: t.string({ nullable: true }),
    lang: t.string({ nullable: true }),
  }),
});

const DiscoInfo = builder.objectRef<DiscoOutcome>('DiscoInfo').implement({
  fields: (t) => ({
    node: t.string({ nullable: true, resolve: ({ query }) => query?.attrs.node ?? null }),
    identities: t.field({
      type: [DiscoIdentity],
      resolve: ({ query }) =>
        (query?.getChildren('identity', NS_INFO) ?? []).map(({ attrs }) => ({
          category: attrs.category ?? '',
          type: attrs.type ?? '',
          name: attrs.name ?? null,
          lang: attrs['xml:lang'] ?? null,
        })),
    }),
    features: t.stringList({
      resolve: ({ query }) =>
        (query?.getChildren('feature', NS_INFO) ?? []).flatMap(({ attrs }) => (attrs.var ? [attrs.var] : [])),
    }),
    reply: t.field({ type: IqRef, resolve: ({ reply }) => reply }),
  }),
});

const DiscoItem = builder.simpleObject('DiscoItem', {
  fields: (t) => ({
    jid: t.field({ type: 'JID' }),
    node: t.string({ nullable: true }),
    name: t.string({ nullable: true }),
  }),
});

const DiscoItems = builder.objectRef<DiscoOutcome>('DiscoItems').implement({
  fields: (t) => ({
    node: t.string({ nullable: true, resolve: ({ query }) => query?.attrs.node ?? null }),
    items: t.field({
      type: [DiscoItem],
      description: 'Items whose jid is not a valid JID are left out (the raw reply keeps them).',
      resolve: ({ query }) =>
        (query?.getChildren('item', NS_ITEMS) ?? []).flatMap(({ attrs }) => {
          const jid = parseJid(attrs.jid ?? '');
          return jid ? [{ jid, node: attrs.node ?? null, name: attrs.name ?? null }] : [];
        }),
    }),
    reply: t.field({ type: IqRef, resolve: ({ reply }) => reply }),
  }),
});

const discoArgs = builder.args((t) => ({
  to: t.field({ type: 'JID', required: true }),
  node: t.string(),
  timeoutMs: t.int({ description: timeoutMsDescription }),
}));

readField({
  name: 'discoInfo',
  union: 'DiscoInfo',
  wasMutation: true,
  type: DiscoInfo,
  description: 'XEP-0030 disco#info: the identities and features of an address (or one of its nodes).',
  args: discoArgs,
  read: ({ to, node, timeoutMs }, ctx) => discoQuery(ctx, NS_INFO, to, node, timeoutMs),
});

readField({
  name: 'discoItems',
  union: 'DiscoItems',
  wasMutation: true,
  type: DiscoItems,
  description: 'XEP-0030 disco#items: the items of an address (or one of its nodes).',
  args: discoArgs,
  read: ({ to, node, timeoutMs }, ctx) => discoQuery(ctx, NS_ITEMS, to, node, timeoutMs),
});
