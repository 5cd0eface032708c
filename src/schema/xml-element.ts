import type { Element } from 'ltx';
import { xml2js } from 'xml-js';
import { escapeAttribute, serializeElement } from '../xmpp/codec/index.ts';
import { namespaceOf } from '../subscribers/stanza-filter.ts';
import { builder } from './builder.ts';

/**
 * A payload element, read as it was received or sent: typed accessors for the common parts,
 * `xml` for everything (the passthrough), and a JSON tree built only when a client asks.
 */
function usedPrefixes(element: Element, into: Set<string>): Set<string> {
  for (const name of [element.name, ...Object.keys(element.attrs)]) {
    const colon = name.indexOf(':');
    if (colon > 0) into.add(name.slice(0, colon));
  }
  for (const child of element.getChildElements()) usedPrefixes(child, into);
  return into;
}

/**
 * The element as a standalone fragment: the same bytes the stanza carries, plus the
 * declarations of prefixes that it uses but that are declared on an ancestor (usually the
 * stanza element), so that the fragment parses on its own.
 */
export function standaloneXml(element: Element): string {
  let declarations = '';
  for (const prefix of usedPrefixes(element, new Set())) {
    const attr = `xmlns:${prefix}`;
    if (prefix === 'xml' || prefix === 'xmlns' || element.attrs[attr] !== undefined) continue;
    for (let node = element.parent; node; node = node.parent) {
      const declared = node.attrs[attr];
      if (declared !== undefined) {
        declarations += ` ${attr}='${escapeAttribute(declared)}'`;
        break;
      }
    }
  }
  const xml = serializeElement(element);
  // The writer starts with `<name`: the declarations go right after it.
  return declarations === '' ? xml : `<${element.name}${declarations}${xml.slice(element.name.length + 1)}`;
}

export const XmlElementRef = builder.objectRef<Element>('XmlElement');

XmlElementRef.implement({
  description: 'An XML element inside a stanza (a payload), with its raw XML.',
  fields: (t) => ({
    name: t.string({
      description: 'The qualified name as written, e.g. `query` or `y:z`.',
      resolve: (element) => element.name,
    }),
    xmlns: t.string({
      description:
        'The namespace the element is in (inherited ones included; `jabber:client` for stanza children without one).',
      resolve: (element) => namespaceOf(element),
    }),
    attrs: t.field({
      type: 'JSON',
      description: 'The attributes as written, namespace declarations included: `{ "name": "value" }`.',
      resolve: (element) => ({ ...element.attrs }),
    }),
    text: t.string({
      description: 'The text directly inside the element (not of its children).',
      resolve: (element) => element.getText(),
    }),
    xml: t.string({
      description: 'The element serialized exactly as it travels, standalone (prefixes declared higher up are added).',
      resolve: (element) => standaloneXml(element),
    }),
    json: t.field({
      type: 'JSON',
      description:
        'The element as an xml-js non-compact tree (`{ elements: [...] }`), built only when asked for. ' +
        'Read-only convenience: send XML, never this.',
      resolve: (element) => xml2js(standaloneXml(element), { compact: false }),
    }),
    children: t.field({
      type: [XmlElementRef],
      description: 'The child elements.',
      resolve: (element) => element.getChildElements(),
    }),
  }),
});
