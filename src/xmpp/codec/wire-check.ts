import type { Element } from 'ltx';
import { GatewayError } from '../../errors/gateway-error.ts';
import { describeCharAt, invalidCharAt, isSafeName } from './xml-chars.ts';

/**
 * The one gate between the gateway and the XMPP server: Stanza.toWire runs it, and the core
 * writes nothing else. Whatever path built the stanza (a /rest body, typed GraphQL fields, raw
 * payloads, a webhook reply, a JSON mapping), what passes is something Prosody and ejabberd
 * accept without closing the component stream:
 * - XML 1.0 characters only (xml-chars.ts);
 * - ASCII names, every prefix declared, no attribute twice once prefixes are expanded
 *   (expat's namespace rules; a tree built in code has not been through the parser);
 * - at most `maxBytes` of UTF-8 once serialised. Escaping grows text (`<` is `&lt;`, `'` in an
 *   attribute `&apos;`), so a body well under the HTTP limit can pass the server's stanza limit
 *   (Prosody: 512 KiB on a component stream), which it answers by closing the stream.
 * Returns the serialised size in bytes; throws GatewayError `invalid-character`,
 * `not-well-formed` or `stanza-too-large`, with `field` locating the fault (`@id`, `body`,
 * `query@node`: elements below the stanza, then the attribute).
 */
export function checkWritable(element: Element, xml: string, maxBytes: number): number {
  const at = invalidCharAt(xml);
  if (at !== -1) throw invalidCharacter(element, describeCharAt(xml, at));
  checkNames(element, new Map([['xml', XML_NS]]), '');
  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > maxBytes) {
    throw new GatewayError('stanza-too-large', {
      text: `The stanza is ${bytes} bytes once serialised; the limit is ${maxBytes} (XMPP_MAX_STANZA_BYTES)`,
    });
  }
  return bytes;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

function notWellFormed(why: string, field: string): GatewayError {
  return new GatewayError('not-well-formed', { text: `Failed to parse payload: ${why}`, field });
}

function checkNames(element: Element, parentScope: ReadonlyMap<string, string>, path: string): void {
  if (!isSafeName(element.name)) throw notWellFormed(`element name outside ASCII: ${element.name}`, path);
  let scope = parentScope;
  const names: string[] = [];
  for (const name in element.attrs) {
    const value = element.attrs[name] as string | number | undefined | null;
    if (value === undefined || value === null) continue;
    if (!isSafeName(name)) throw notWellFormed(`attribute name outside ASCII: ${name}`, `${path}@${name}`);
    if (!name.startsWith('xmlns:')) {
      names.push(name);
      continue;
    }
    const prefix = name.slice('xmlns:'.length);
    const uri = String(value);
    // Namespaces in XML 1.0 §3: a prefix cannot be undeclared, `xmlns` is reserved, `xml` is fixed.
    if (uri === '' || prefix === 'xmlns' || (prefix === 'xml') !== (uri === XML_NS))
      throw notWellFormed(`invalid namespace declaration ${name}`, `${path}@${name}`);
    if (scope === parentScope) scope = new Map(parentScope);
    (scope as Map<string, string>).set(prefix, uri);
  }
  if (prefixOf(element.name, scope) === null) throw notWellFormed(`undeclared prefix in ${element.name}`, path);
  let expanded: Set<string> | undefined;
  for (const name of names) {
    const uri = prefixOf(name, scope);
    if (uri === undefined) continue;
    if (uri === null) throw notWellFormed(`undeclared prefix in ${name}`, `${path}@${name}`);
    // Expat compares attributes by namespace and local name: `a:x` and `b:x` for one URI clash.
    const key = `${uri} ${name.slice(name.indexOf(':') + 1)}`;
    expanded ??= new Set();
    if (expanded.has(key)) throw notWellFormed(`attribute ${name} given twice`, `${path}@${name}`);
    expanded.add(key);
  }
  for (const child of element.children) {
    if (typeof child !== 'string') checkNames(child, scope, path === '' ? child.name : `${path}/${child.name}`);
  }
}

/** The namespace of a prefixed name; undefined for an unprefixed one, null for an undeclared prefix. */
function prefixOf(name: string, scope: ReadonlyMap<string, string>): string | null | undefined {
  const colon = name.indexOf(':');
  return colon === -1 ? undefined : (scope.get(name.slice(0, colon)) ?? null);
}

/** Where the character is, for `field`: only computed on a refusal. */
function invalidCharacter(stanza: Element, char: string): GatewayError {
  const field = locate(stanza, '') ?? '';
  return new GatewayError('invalid-character', {
    text: `The stanza holds ${char}${field === '' ? '' : ` in ${field}`}, which XML 1.0 does not allow`,
    field,
  });
}

function locate(element: Element, path: string): string | undefined {
  if (invalidCharAt(element.name) !== -1) return path;
  for (const [name, value] of Object.entries(element.attrs)) {
    if (invalidCharAt(name) !== -1 || invalidCharAt(String(value)) !== -1) return `${path}@${name}`;
  }
  for (const child of element.children) {
    if (typeof child === 'string') {
      if (invalidCharAt(child) !== -1) return path;
    } else {
      const found = locate(child, path === '' ? child.name : `${path}/${child.name}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
