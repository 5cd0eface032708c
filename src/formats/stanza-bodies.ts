import { Element } from 'ltx';
import { GatewayError } from '../errors/gateway-error.ts';
import { parseXmlElement, type Stanza } from '../xmpp/codec/index.ts';
import {
  elementFromJson,
  type FromJsonOptions,
  type JsonObject,
  type JsonValue,
  jsonFromElement,
} from '../xmpp/codec/json-mapping/index.ts';
import { decodeForm, encodeForm, flatFields } from './form-encoding.ts';
import type { BodyFormat, RequestFormat } from './media-types.ts';

/**
 * Stanzas in and out of HTTP bodies, in every format of the contract. What comes in becomes an
 * ltx element for the codec's rules (stanzaFromElement) to validate; what goes out is a Stanza
 * the codec made, written in the format asked for.
 */
export type DecodedBody =
  | { format: 'xml'; element: Element }
  | { format: 'json' | 'form'; fields: JsonObject }
  | { format: 'text'; text: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function unparsable(cause?: unknown): GatewayError {
  return new GatewayError('not-well-formed', { cause });
}

function text(body: Uint8Array): string {
  try {
    return utf8.decode(body);
  } catch (error) {
    throw unparsable(error);
  }
}

/** Throws GatewayError `not-well-formed` ("Failed to parse payload") or `payload-too-large`. */
export function decodeBody(format: RequestFormat, body: Uint8Array, maxBytes: number): DecodedBody {
  if (body.byteLength > maxBytes) throw new GatewayError('payload-too-large');
  switch (format) {
    case 'xml':
      return { format, element: parseXmlElement(body, { maxBytes }) };
    case 'json': {
      let value: unknown;
      try {
        value = JSON.parse(text(body));
      } catch (error) {
        throw unparsable(error);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw unparsable();
      return { format, fields: value as JsonObject };
    }
    case 'form': {
      let decoded: ReturnType<typeof decodeForm>;
      try {
        decoded = decodeForm(text(body));
      } catch (error) {
        throw unparsable(error);
      }
      // mod_rest: a body that is not key=value pairs is plain text.
      return 'text' in decoded ? { format: 'text', text: decoded.text } : { format, fields: decoded.fields };
    }
    case 'text':
      return { format, text: text(body) };
  }
}

/** A plain-text body: a chat message carrying it (mod_rest). */
export function chatMessage(body: string): Element {
  const message = new Element('message', { type: 'chat' });
  message.cnode(new Element('body')).t(body);
  return message;
}

export function elementFromBody(decoded: DecodedBody, options: FromJsonOptions): Element {
  switch (decoded.format) {
    case 'xml':
      return decoded.element;
    case 'json':
    case 'form':
      return elementFromJson(decoded.fields, options);
    case 'text':
      return chatMessage(decoded.text);
  }
}

/**
 * One stanza, or several (an archive query's results and its final iq): XML wraps several in
 * `<xmpp>`, JSON in `{"xmpp": […]}`; a form holds flat fields of one stanza only, so several
 * give an empty form, as with mod_rest.
 */
export function encodeStanzas(format: BodyFormat, stanzas: readonly Stanza[]): string {
  const [first] = stanzas;
  if (!first) throw new Error('encodeStanzas: no stanza');
  const single = stanzas.length === 1;
  switch (format) {
    case 'xml':
      return single ? first.toXml() : `<xmpp>${stanzas.map((stanza) => stanza.toXml()).join('')}</xmpp>`;
    case 'json': {
      const json: JsonValue = single
        ? jsonFromElement(first.element)
        : { xmpp: stanzas.map((stanza) => jsonFromElement(stanza.element)) };
      return JSON.stringify(json);
    }
    case 'form':
      return single ? encodeForm(flatFields(jsonFromElement(first.element))) : '';
  }
}
