import { Element } from 'ltx';
import type { Stanza } from '../xmpp/codec/index.ts';
import { builder } from './builder.ts';
import { IqRef, requestIq, timeoutMsDescription } from './iq.ts';
import { readField } from './read-field.ts';
import { buildStanza } from './stanza-input.ts';

/** XEP-0092 software version. */
const NS_VERSION = 'jabber:iq:version';

const SoftwareVersion = builder.objectRef<Stanza>('SoftwareVersion').implement({
  fields: (t) => {
    const text = (name: string) => (reply: Stanza) =>
      reply.element.getChild('query', NS_VERSION)?.getChildText(name) ?? null;
    return {
      name: t.string({ nullable: true, resolve: text('name') }),
      version: t.string({ nullable: true, resolve: text('version') }),
      os: t.string({ nullable: true, resolve: text('os') }),
      reply: t.field({ type: IqRef, resolve: (reply) => reply }),
    };
  },
});

readField({
  name: 'version',
  union: 'Version',
  wasMutation: true,
  type: SoftwareVersion,
  description: 'XEP-0092: the software name, version and OS of an address.',
  args: builder.args((t) => ({
    to: t.field({ type: 'JID', required: true }),
    timeoutMs: t.int({ description: timeoutMsDescription }),
  })),
  read: ({ to, timeoutMs }, ctx) =>
    requestIq(
      ctx,
      buildStanza(ctx, 'iq', { to }, { type: 'get' }, [new Element('query', { xmlns: NS_VERSION })]),
      timeoutMs,
    ),
});
