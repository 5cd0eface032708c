import { Element } from 'ltx';
import { NS_CLIENT } from '../namespaces.ts';

/**
 * Namespace-aware lookups on ltx trees. A stanza in jabber:client form has no xmlns, so an
 * element with no namespace in scope is in jabber:client.
 */
export function namespaceOf(element: Element): string {
  return element.getNS() ?? NS_CLIENT;
}

export function childElements(parent: Element, name: string, ns: string): Element[] {
  return parent.children.filter(
    (child): child is Element => typeof child !== 'string' && child.getName() === name && namespaceOf(child) === ns,
  );
}

export function findChild(parent: Element, name: string, ns: string): Element | undefined {
  return childElements(parent, name, ns)[0];
}

/** The text directly inside an element (what Prosody's get_text returns). */
export function ownText(element: Element): string {
  let text = '';
  for (const child of element.children) if (typeof child === 'string') text += child;
  return text;
}

/** A new element in `ns`, declaring it only where it differs from the parent's. */
export function addChild(parent: Element, name: string, ns: string, attrs: Record<string, string> = {}): Element {
  const child = new Element(name, ns === namespaceOf(parent) ? { ...attrs } : { ...attrs, xmlns: ns });
  parent.cnode(child);
  return child;
}

export function elementChildren(element: Element): Element[] {
  return element.children.filter((child): child is Element => typeof child !== 'string');
}

/** A deep copy, detached from its parent. */
export function cloneElement(element: Element): Element {
  const copy = new Element(element.name, { ...element.attrs });
  for (const child of element.children) copy.cnode(typeof child === 'string' ? child : cloneElement(child));
  return copy;
}
