import { Element } from 'ltx';
import type { Stanza } from '../xmpp/codec/index.ts';
import { builder } from './builder.ts';
import { getIq, IqRef, targetArgs } from './iq.ts';
import { readField } from './read-field.ts';

/** XEP-0012 last activity: one query, three meanings, told apart by the address asked. */
const NS_LAST = 'jabber:iq:last';

const LastActivity = builder.objectRef<Stanza>('LastActivity').implement({
  description:
    'Seconds since: the start of a server or component (its uptime), the last sign-off of an account ' +
    '(a bare JID), or the last activity of a connected client (a full JID).',
  fields: (t) => ({
    seconds: t.int({
      nullable: true,
      description: 'Null when the reply has no whole number of seconds (the raw reply keeps what it had).',
      resolve: (reply) => {
        const text = reply.element.getChild('query', NS_LAST)?.attrs.seconds ?? '';
        return /^\d{1,9}$/.test(text) ? Number(text) : null;
      },
    }),
    status: t.string({
      nullable: true,
      description: 'The status an account signed off with, when the server kept it.',
      resolve: (reply) => reply.element.getChild('query', NS_LAST)?.getText() || null,
    }),
    reply: t.field({ type: IqRef, resolve: (reply) => reply }),
  }),
});

readField({
  name: 'lastActivity',
  union: 'LastActivity',
  type: LastActivity,
  description: 'XEP-0012: how long a server has been up, an account offline, or a client idle.',
  args: targetArgs,
  read: ({ to, timeoutMs }, ctx) => getIq(ctx, to, new Element('query', { xmlns: NS_LAST }), timeoutMs),
});
