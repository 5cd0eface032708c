import type { InputShapeFromFields } from '@pothos/core';
import { Element } from 'ltx';
import { GatewayError } from '../errors/gateway-error.ts';
import { queryArchive, withQueryId } from '../xmpp/archive-query.ts';
import { decodeInbound, type Stanza } from '../xmpp/codec/index.ts';
import { NS_DATA_FORMS, NS_DELAY, NS_FORWARD, NS_MAM, NS_RSM } from '../xmpp/codec/namespaces.ts';
import { callerOf } from './scope-guard.ts';
import { builder, type GraphqlContext } from './builder.ts';
import { IqRef, iqTimeoutMs, StanzaErrorReply, timeoutMsDescription } from './iq.ts';
import { MessageRef } from './message.ts';
import { readField } from './read-field.ts';
import { buildStanza, textChild } from './stanza-input.ts';

/**
 * XEP-0313 message archive, one page at a time: the server answers the query with one message
 * per archived stanza, then the iq result whose `<fin/>` carries the page's bounds (XEP-0059).
 * The core collects both (src/xmpp/archive-query.ts), as it does for /rest.
 */
const DEFAULT_MAX = 50;

interface ArchivePageShape {
  results: Stanza[];
  reply: Stanza;
}

const ArchivedMessage = builder.objectRef<Stanza>('ArchivedMessage').implement({
  description: 'One archived stanza, as the archive forwarded it.',
  fields: (t) => {
    const resultOf = (result: Stanza) => result.element.getChild('result', NS_MAM);
    const forwarded = (result: Stanza) => resultOf(result)?.getChild('forwarded', NS_FORWARD);
    return {
      id: t.string({
        description: "The archive's id for it: `after` or `before` of another page.",
        resolve: (entry) => resultOf(entry)?.attrs.id ?? '',
      }),
      stamp: t.field({
        type: 'DateTime',
        nullable: true,
        description: 'When the archive received it.',
        resolve: (entry) => {
          const stamp = forwarded(entry)?.getChild('delay', NS_DELAY)?.attrs.stamp;
          const date = stamp === undefined ? undefined : new Date(stamp);
          return date && !Number.isNaN(date.getTime()) ? date : null;
        },
      }),
      message: t.field({
        type: MessageRef,
        nullable: true,
        description: 'The archived message; null when it is not one with valid addresses (`result` keeps it).',
        resolve: (entry, _args, ctx) => {
          // A room's archive leaves `to` out: it reads as addressed to the gateway, as inbound does.
          const message = forwarded(entry)?.getChild('message');
          const stanza = message && decodeInbound(message, ctx.core.rules.domain);
          return stanza?.kind === 'message' ? stanza : null;
        },
      }),
      result: t.field({
        type: MessageRef,
        description: 'The result message as the archive sent it to the gateway.',
        resolve: (result) => result,
      }),
    };
  },
});

const ArchivePage = builder.objectRef<ArchivePageShape>('ArchivePage').implement({
  fields: (t) => {
    const fin = ({ reply }: ArchivePageShape) => reply.element.getChild('fin', NS_MAM);
    const bound = (name: 'first' | 'last') => (page: ArchivePageShape) =>
      fin(page)?.getChild('set', NS_RSM)?.getChildText(name) ?? null;
    return {
      messages: t.field({
        type: [ArchivedMessage],
        description: 'Oldest first, as the archive sent them.',
        resolve: ({ results }) => results,
      }),
      complete: t.boolean({
        description: 'The archive says this page is the last one in the direction asked.',
        resolve: (page) => ['true', '1'].includes(fin(page)?.attrs.complete ?? ''),
      }),
      first: t.string({
        nullable: true,
        description: 'The id of the first message: `before` of the previous page.',
        resolve: bound('first'),
      }),
      last: t.string({
        nullable: true,
        description: 'The id of the last message: `after` of the next page.',
        resolve: bound('last'),
      }),
      count: t.int({
        nullable: true,
        description: 'How many messages match in all, when the archive says.',
        resolve: (page) => {
          const count = Number(fin(page)?.getChild('set', NS_RSM)?.getChildText('count') ?? Number.NaN);
          return Number.isSafeInteger(count) ? count : null;
        },
      }),
      reply: t.field({ type: IqRef, description: 'The final iq result.', resolve: ({ reply }) => reply }),
    };
  },
});

const archiveArgs = builder.args((t) => ({
  to: t.field({ type: 'JID', required: true, description: 'The archive: a room, an account, a server.' }),
  with: t.field({ type: 'JID', description: 'Only messages with this address.' }),
  start: t.field({ type: 'DateTime', description: 'Only messages archived at or after this time.' }),
  end: t.field({ type: 'DateTime', description: 'Only messages archived at or before this time.' }),
  after: t.string({ description: 'The page after this archive id.' }),
  before: t.string({ description: 'The page before this archive id ("" for the last page).' }),
  max: t.int({ description: `Messages in the page: default ${DEFAULT_MAX}, at most REST_MAX_ARCHIVE_RESULTS.` }),
  timeoutMs: t.int({ description: timeoutMsDescription }),
}));

type ArchiveArgs = InputShapeFromFields<typeof archiveArgs>;

/** The query's `<x/>` filter form and `<set/>` page request. */
function archiveQuery(args: ArchiveArgs, max: number): Element {
  const form = new Element('x', { xmlns: NS_DATA_FORMS, type: 'submit' });
  const field = (name: string, value: string, attrs: Record<string, string> = {}) =>
    form.cnode(new Element('field', { var: name, ...attrs })).cnode(new Element('value').t(value));
  field('FORM_TYPE', NS_MAM, { type: 'hidden' });
  if (args.with) field('with', args.with.toString());
  if (args.start) field('start', args.start.toISOString());
  if (args.end) field('end', args.end.toISOString());
  const page = new Element('set', { xmlns: NS_RSM });
  const bounds = [textChild('max', String(max)), textChild('after', args.after), textChild('before', args.before)];
  for (const element of bounds.flat()) page.cnode(element);
  const query = new Element('query', { xmlns: NS_MAM });
  query.cnode(form);
  query.cnode(page);
  return query;
}

function pageSize(ctx: GraphqlContext, max: number | null | undefined): number {
  const size = max ?? Math.min(DEFAULT_MAX, ctx.maxArchiveResults);
  if (size < 0 || size > ctx.maxArchiveResults)
    throw new GatewayError('invalid-argument', {
      field: 'max',
      text: `max must be between 0 and ${ctx.maxArchiveResults} (REST_MAX_ARCHIVE_RESULTS)`,
    });
  return size;
}

readField({
  name: 'archive',
  union: 'Archive',
  type: ArchivePage,
  description:
    'XEP-0313: one page of a message archive (a MUC room, or an account that lets the gateway read it), ' +
    'oldest first. Page forward with `after: last`, back with `before: first`; `before: ""` asks for the last page.',
  args: archiveArgs,
  read: async (args, ctx) => {
    const max = pageSize(ctx, args.max);
    const request = withQueryId(
      buildStanza(ctx, 'iq', { to: args.to }, { type: 'set' }, [archiveQuery(args, max)]),
      ctx.core.rules,
    );
    const timeoutMs = iqTimeoutMs(ctx, args.timeoutMs);
    callerOf(ctx).authorizeSend(request);
    const replies = await queryArchive(ctx.core, request, timeoutMs, max);
    const reply = replies.at(-1)!;
    if (reply.type === 'error') throw new StanzaErrorReply(reply);
    return { results: replies.slice(0, -1), reply };
  },
});
