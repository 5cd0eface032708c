import { Element } from 'ltx';
import { GatewayError, isGatewayError } from '../errors/gateway-error.ts';
import { parseXmlElement, type Stanza, type StanzaKind, stanzaFromElement } from '../xmpp/codec/index.ts';
import type { Jid } from '../xmpp/jid.ts';
import { builder, type GraphqlContext } from './builder.ts';

/**
 * Typed send inputs become stanzas through the same codec as /rest: an ltx element is built
 * from the typed fields and the raw payload XML (parsed by the strict parser), then
 * `stanzaFromElement` applies the /rest stanza rules and the wire check (XML 1.0 characters,
 * XMPP_MAX_STANZA_BYTES once serialised). A failed rule names its input field.
 */
export interface CommonStanzaInput {
  to?: Jid | null;
  from?: Jid | null;
  id?: string | null;
  lang?: string | null;
  payloads?: readonly string[] | null;
}

export const commonInputDescriptions = {
  to: 'The recipient.',
  payloads: 'Extra child elements as raw XML, one element each, sent byte for byte.',
} as const;

type InputFields = PothosSchemaTypes.InputFieldBuilder<
  typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never,
  'InputObject'
>;

/** The input fields every typed send has besides `to` (whose optionality differs per kind). */
export function senderFields(t: InputFields) {
  return {
    from: t.field({ type: 'JID', description: 'The sender: the component domain (default) or any address at it.' }),
    id: t.string({ description: 'The stanza id; generated when absent.' }),
    lang: t.string({ description: 'The `xml:lang` of the stanza.' }),
  };
}

/** One raw XML element from an argument; a failure names that argument. */
export function parseFragment(xml: string, field: string, maxBytes: number): Element {
  try {
    return parseXmlElement(xml, { maxBytes });
  } catch (error) {
    if (!isGatewayError(error)) throw error;
    throw new GatewayError(error.kind, { field, cause: error });
  }
}

/** A child element in the stanza's own namespace with text, e.g. `<body>hi</body>`. */
export function textChild(name: string, text: string | null | undefined): Element[] {
  return text === undefined || text === null ? [] : [new Element(name).t(text)];
}

export function buildStanza(
  ctx: GraphqlContext,
  kind: StanzaKind,
  input: CommonStanzaInput,
  attrs: Record<string, string | undefined>,
  children: Element[],
): Stanza {
  const element = new Element(kind, {});
  const all: Record<string, string | undefined> = {
    to: input.to?.toString(),
    from: input.from?.toString(),
    id: input.id ?? undefined,
    ...attrs,
    'xml:lang': input.lang ?? undefined,
  };
  for (const [name, value] of Object.entries(all)) if (value !== undefined) element.attrs[name] = value;
  for (const child of children) element.cnode(child);
  (input.payloads ?? []).forEach((xml, index) =>
    element.cnode(parseFragment(xml, `payloads.${index}`, ctx.maxStanzaBytes)),
  );
  try {
    return stanzaFromElement(element, ctx.core.rules);
  } catch (error) {
    if (!isGatewayError(error) || error.field === undefined) throw error;
    throw new GatewayError(error.kind, { text: error.text, field: inputField(error.field), cause: error });
  }
}

/**
 * The codec's wire check locates a fault in the stanza (`@xml:lang`, `body`, `query@node`); a
 * typed send names its input field instead (`lang`, `body`, `node`).
 */
function inputField(location: string): string | undefined {
  if (location === '') return undefined;
  const at = location.lastIndexOf('@');
  if (at === -1) return location.split('/')[0]!;
  const attribute = location.slice(at + 1);
  return attribute === 'xml:lang' ? 'lang' : attribute;
}
