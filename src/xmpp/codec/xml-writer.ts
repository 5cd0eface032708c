import type { Element } from 'ltx';

/**
 * The one XML serializer for everything that leaves the gateway (socket, HTTP, webhooks,
 * database). Unlike ltx's toString it also escapes the characters that XML parsers would
 * otherwise normalise away (CR in text; TAB, LF and CR in attribute values, XML 1.0 §3.3.3),
 * so what a client sent comes out byte-for-byte after a parse.
 */
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

export function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (char) => TEXT_ESCAPES[char]!);
}

export function escapeAttribute(value: string): string {
  return value.replace(/[&<>"'\t\n\r]/g, (char) => ATTR_ESCAPES[char]!);
}

function write(element: Element, out: string[]): void {
  out.push('<', element.name);
  for (const [name, value] of Object.entries(element.attrs)) {
    if (value === undefined || value === null) continue;
    out.push(' ', name, "='", escapeAttribute(String(value)), "'");
  }
  if (element.children.length === 0) {
    out.push('/>');
    return;
  }
  out.push('>');
  for (const child of element.children) {
    if (typeof child === 'string') {
      out.push(escapeText(child));
    } else {
      write(child, out);
    }
  }
  out.push('</', element.name, '>');
}

export function serializeElement(element: Element): string {
  const out: string[] = [];
  write(element, out);
  return out.join('');
}
