import type { Element } from 'ltx';
import { chatMessage, decodeBody, elementFromBody, formatOfContentType, mediaTypes } from '../formats/index.ts';
import type { Stanza } from '../xmpp/codec/index.ts';

/**
 * A callback's 2xx body as a stanza element, by its Content-Type: XML, JSON or form (mod_rest's
 * mapping; what a JSON reply leaves out defaults to the kind of the stanza it answers, and an iq
 * reply to `result`), or text, which answers a message with a chat message carrying it.
 * Throws GatewayError (`not-well-formed`…) or returns a reason when the body cannot be a reply.
 */
export function replyElement(
  request: Stanza,
  contentType: string | undefined,
  body: Buffer,
  maxBytes: number,
): Element | string {
  const format = formatOfContentType(contentType);
  if (!format) return `Content-Type is none of ${Object.values(mediaTypes).join(', ')}`;
  const decoded = decodeBody(format, body, maxBytes);
  if (decoded.format !== 'text') return elementFromBody(decoded, { maxBytes, defaultKind: request.kind, reply: true });
  // mod_rest answers every kind with the text as a chat message, and then refuses it for
  // presences and iqs (another kind): only a message is answered with text.
  if (request.kind !== 'message') return `a text reply answers a message, not a <${request.kind}>`;
  return chatMessage(decoded.text);
}
