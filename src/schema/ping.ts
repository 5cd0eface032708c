import { Element } from 'ltx';
import type { Stanza } from '../xmpp/codec/index.ts';
import { NS_PING } from '../xmpp/codec/namespaces.ts';
import { builder } from './builder.ts';
import { IqRef, requestIq, targetArgs } from './iq.ts';
import { readField } from './read-field.ts';
import { buildStanza } from './stanza-input.ts';

/** XEP-0199 ping, timed from the moment the core sends it to the moment the reply arrives. */
interface PingOutcome {
  rttMs: number;
  reply: Stanza;
}

const Pong = builder.objectRef<PingOutcome>('Pong').implement({
  fields: (t) => ({
    rttMs: t.float({
      description: 'Round-trip time in milliseconds, through the gateway and the XMPP server.',
      resolve: (pong) => pong.rttMs,
    }),
    reply: t.field({ type: IqRef, resolve: (pong) => pong.reply }),
  }),
});

readField({
  name: 'ping',
  union: 'Ping',
  wasMutation: true,
  type: Pong,
  description:
    'Pings an XMPP address (XEP-0199). A peer that does not support ping answers a StanzaErrorReply, ' +
    'which still proves it is reachable.',
  args: targetArgs,
  read: async ({ to, timeoutMs }, ctx) => {
    const request = buildStanza(ctx, 'iq', { to }, { type: 'get' }, [new Element('ping', { xmlns: NS_PING })]);
    const started = performance.now();
    const reply = await requestIq(ctx, request, timeoutMs);
    return { rttMs: performance.now() - started, reply };
  },
});
