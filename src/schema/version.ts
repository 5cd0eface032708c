import { Element } from 'ltx';
import type { Stanza } from '../xmpp/codec/index.ts';
import { builder } from './builder.ts';
import { getIq, IqRef, targetArgs } from './iq.ts';
import { readField } from './read-field.ts';

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
  args: targetArgs,
  read: ({ to, timeoutMs }, ctx) => getIq(ctx, to, new Element('query', { xmlns: NS_VERSION }), timeoutMs),
});
