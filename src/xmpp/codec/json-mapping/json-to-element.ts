import { Element } from 'ltx';
import type { StanzaKind } from '../stanza.ts';
import { parseXmlElement } from '../xml-parser.ts';
import { NS_CLIENT } from '../namespaces.ts';
import { canonical } from './canonical.ts';
import { expandArchiveQuery, type KindOptions, resolveKind } from './kind-inference.ts';
import { field, isJsonObject, type JsonValue, unparsable } from './json-value.ts';
import { readContent, writeContent } from './stanza-content.ts';
import { UNMAPPED_FIELD } from './stanza-fields.ts';
import { cloneElement, elementChildren } from './xml-tree.ts';

export interface FromJsonOptions extends KindOptions {
  /** Limits the XML strings inside the JSON (the `xml` field, `html`). */
  maxBytes: number;
}

/**
 * mod_rest's JSON (or form) fields → a stanza element, for the codec's rules to validate next.
 * Throws GatewayError `not-well-formed` when the value is no stanza at all: not an object, an
 * empty object, an unknown kind, text the XML of which cannot be written.
 */
export function elementFromJson(value: JsonValue, options: FromJsonOptions): Element {
  if (!isJsonObject(value) || Object.keys(value).length === 0) throw unparsable();
  const { kind, type } = resolveKind(value, options);
  let object = value;
  if (kind === 'iq' && type === 'set' && field(object, 'archive') !== undefined)
    object = { ...object, archive: expandArchiveQuery(field(object, 'archive')) ?? null };
  // The older spelling of a room join.
  if (kind === 'presence' && field(object, 'join') === true && field(object, 'muc') == null)
    object = { ...object, muc: {} };
  const element = new Element(kind);
  writeContent(element, kind, object);
  delete element.attrs.type;
  if (type !== undefined) element.attrs.type = type;
  const unmapped = field(object, UNMAPPED_FIELD);
  if (typeof unmapped === 'string' && unmapped.trim() !== '') addUnmapped(element, kind, unmapped, options.maxBytes);
  return element;
}

/**
 * The elements given as XML: appended as they are. Where one of them is also what a mapped field
 * was made from (a client sent back the JSON it got, fields and `xml` both), the verbatim copy
 * replaces what the mapping wrote.
 */
function addUnmapped(element: Element, kind: StanzaKind, xml: string, maxBytes: number): void {
  let wrapper: Element;
  try {
    wrapper = parseXmlElement(`<xml xmlns='${NS_CLIENT}'>${xml}</xml>`, { maxBytes: maxBytes + 64 });
  } catch (error) {
    throw unparsable(error);
  }
  if (wrapper.children.some((child) => typeof child === 'string' && child.trim() !== '')) throw unparsable();
  const verbatim = elementChildren(wrapper).map((child) => {
    const copy = cloneElement(child);
    // The wrapper's default namespace (jabber:client) is the stanza's: nothing to declare.
    if (copy.attrs.xmlns === NS_CLIENT) delete copy.attrs.xmlns;
    return copy;
  });
  const images = verbatim.flatMap((child) => mappedImage(kind, child));
  element.children = element.children.filter((mapped) => {
    if (typeof mapped === 'string') return true;
    const index = images.indexOf(canonical(mapped));
    if (index === -1) return true;
    images.splice(index, 1);
    return false;
  });
  for (const child of verbatim) element.cnode(child);
}

/** What the mapping writes for an element once it has read it (canonical forms). */
function mappedImage(kind: StanzaKind, child: Element): string[] {
  const alone = new Element(kind);
  alone.cnode(cloneElement(child));
  const rebuilt = new Element(kind);
  try {
    writeContent(rebuilt, kind, readContent(alone, kind, 'both'));
  } catch {
    return [];
  }
  return elementChildren(rebuilt).map(canonical);
}
