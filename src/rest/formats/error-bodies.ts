import type { GatewayError } from '../../errors/gateway-error.ts';
import { NS_STREAMS } from '../../errors/stanza-error.ts';
import { type BodyFormat, encodeForm } from '../../formats/index.ts';
import { escapeText } from '../../xmpp/codec/index.ts';

const NS_JABBER_STREAMS = 'http://etherx.jabber.org/streams';

/**
 * mod_rest's error bodies: a stream error element carrying the stanza error's condition (XML),
 * `{"type":"error","code":…,"error":{…}}` (JSON), and the same flat (form: mod_rest has none;
 * the parts use the names of a stanza error's form fields).
 */
export function errorBody(format: BodyFormat, error: GatewayError): string {
  switch (format) {
    case 'xml':
      return (
        `<error xmlns='${NS_JABBER_STREAMS}'><${error.condition} xmlns='${NS_STREAMS}'/>` +
        `<text xmlns='${NS_STREAMS}'>${escapeText(error.text)}</text></error>`
      );
    case 'json':
      return JSON.stringify({
        type: 'error',
        code: error.http,
        error: { type: error.type, condition: error.condition, text: error.text },
      });
    case 'form':
      return encodeForm({
        type: 'error',
        code: String(error.http),
        error_type: error.type,
        error_condition: error.condition,
        error_text: error.text,
      });
  }
}
