import type { GatewayError } from '../../errors/gateway-error.ts';
import { NS_STREAMS } from '../../errors/stanza-error.ts';
import { escapeText, parseStanza } from '../../xmpp/codec/index.ts';
import type { RestFormat } from './format.ts';

const NS_JABBER_STREAMS = 'http://etherx.jabber.org/streams';

export const xmppXml: RestFormat = {
  mediaType: 'application/xmpp+xml',
  decodeStanza: (body, options) => parseStanza(body, options),
  encodeStanza: (stanza) => stanza.toXml(),
  // mod_rest's error body: a stream error element carrying the stanza error's condition.
  encodeError: (error: GatewayError) =>
    `<error xmlns='${NS_JABBER_STREAMS}'><${error.condition} xmlns='${NS_STREAMS}'/>` +
    `<text xmlns='${NS_STREAMS}'>${escapeText(error.text)}</text></error>`,
};
