/**
 * Indents a stanza for reading. The browser's own XML parser reads it (nothing is evaluated:
 * the result is only walked); what it cannot read is shown as it came. Text is returned as a
 * string for a <pre>: the views put it in as text, never as HTML.
 */
const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (text: string) => escapeText(text).replace(/"/g, '&quot;');

export function prettyXml(xml: string): string {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length > 0 || !doc.documentElement) return xml;
  return print(doc.documentElement, '');
}

function print(element: Element, indent: string): string {
  const attrs = Array.from(element.attributes)
    .map((attr) => ` ${attr.name}="${escapeAttr(attr.value)}"`)
    .join('');
  const open = `${indent}<${element.tagName}${attrs}`;
  const children = Array.from(element.childNodes).filter(
    (node) => node.nodeType === Node.ELEMENT_NODE || (node.nodeType !== Node.COMMENT_NODE && node.textContent?.trim()),
  );
  if (children.length === 0) return `${open}/>`;
  const only = children[0];
  if (children.length === 1 && only && only.nodeType !== Node.ELEMENT_NODE) {
    return `${open}>${escapeText(only.textContent ?? '')}</${element.tagName}>`;
  }
  const inner = children.map((node) =>
    node.nodeType === Node.ELEMENT_NODE
      ? print(node as Element, `${indent}  `)
      : `${indent}  ${escapeText((node.textContent ?? '').trim())}`,
  );
  return `${open}>\n${inner.join('\n')}\n${indent}</${element.tagName}>`;
}
