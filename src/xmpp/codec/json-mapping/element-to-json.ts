import { Element } from 'ltx';
import { NS_CLIENT } from '../namespaces.ts';
import { isStanzaKind, type StanzaKind } from '../stanza.ts';
import { serializeElement } from '../xml-writer.ts';
import { canonical } from './canonical.ts';
import type { JsonObject } from './json-value.ts';
import { readContent, writeContent } from './stanza-content.ts';
import { UNMAPPED_FIELD } from './stanza-fields.ts';
import { cloneElement, elementChildren } from './xml-tree.ts';

/**
 * A stanza → mod_rest's JSON: `kind`, the attributes, every mapped field, and, in `xml`, each
 * child element the fields do not reproduce exactly (mod_rest drops those).
 */
export function jsonFromElement(element: Element): JsonObject {
  const kind = element.name as StanzaKind;
  if (!isStanzaKind(kind)) throw new Error(`not a stanza: <${element.name}>`);
  const content = readContent(element, kind, element.attrs.type === 'error' ? 'error' : 'fields');
  if (kind === 'presence' && content.type === undefined) content.type = 'available';
  const out: JsonObject = { kind, ...content };
  const unmapped = unreproduced(element, kind, content);
  if (unmapped.length > 0) out[UNMAPPED_FIELD] = unmapped.map(selfContained).join('');
  return out;
}

/** The children that writing `content` back would not give again (compared as canonical forms). */
function unreproduced(element: Element, kind: StanzaKind, content: JsonObject): Element[] {
  const children = elementChildren(element);
  const rebuilt = new Element(kind);
  try {
    writeContent(rebuilt, kind, content);
  } catch {
    return children;
  }
  const pool = elementChildren(rebuilt).map(canonical);
  return children.filter((child) => {
    const index = pool.indexOf(canonical(child));
    if (index === -1) return true;
    pool.splice(index, 1);
    return false;
  });
}

/** A child as XML that parses alone: the namespaces it uses from its ancestors declared on it. */
function selfContained(child: Element): string {
  const copy = cloneElement(child);
  const defaultNs = child.findNS();
  if (copy.attrs.xmlns === undefined && defaultNs !== undefined && defaultNs !== NS_CLIENT)
    copy.attrs.xmlns = defaultNs;
  for (const prefix of usedPrefixes(child)) {
    if (copy.attrs[`xmlns:${prefix}`] !== undefined) continue;
    const declared = child.findNS(prefix);
    if (declared !== undefined) copy.attrs[`xmlns:${prefix}`] = declared;
  }
  return serializeElement(copy);
}

function usedPrefixes(element: Element, into = new Set<string>()): Set<string> {
  const names = [element.name, ...Object.keys(element.attrs)];
  for (const name of names) {
    const colon = name.indexOf(':');
    const prefix = colon === -1 ? '' : name.slice(0, colon);
    if (prefix !== '' && prefix !== 'xml' && prefix !== 'xmlns') into.add(prefix);
  }
  for (const child of elementChildren(element)) usedPrefixes(child, into);
  return into;
}
