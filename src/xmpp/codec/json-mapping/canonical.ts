import type { Element } from 'ltx';
import { NS_CLIENT } from '../namespaces.ts';
import { namespaceOf } from './xml-tree.ts';

/**
 * An element's meaning as a string, for "does the mapping reproduce this element?": names with
 * their namespaces (prefixes and declarations do not matter), attributes in any order, text
 * joined. Two elements with the same canonical form serialize to equivalent XML.
 */
export function canonical(element: Element): string {
  const attrs = Object.entries(element.attrs)
    .filter(([name, value]) => value !== undefined && name !== 'xmlns' && !name.startsWith('xmlns:'))
    .map(([name, value]) => `${attributeName(element, name)}=${String(value)}`)
    .sort();
  const children: string[] = [];
  let text = '';
  for (const child of element.children) {
    if (typeof child === 'string') {
      text += child;
      continue;
    }
    if (text !== '') children.push(JSON.stringify(text));
    text = '';
    children.push(canonical(child));
  }
  if (text !== '') children.push(JSON.stringify(text));
  return `<${JSON.stringify([namespaceOf(element), element.getName(), attrs])}${children.join('')}>`;
}

function attributeName(element: Element, name: string): string {
  const colon = name.indexOf(':');
  if (colon === -1 || name.startsWith('xml:')) return name;
  return `{${element.findNS(name.slice(0, colon)) ?? NS_CLIENT}}${name.slice(colon + 1)}`;
}
