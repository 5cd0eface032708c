import { Element } from 'ltx';
import { SaxesParser } from 'saxes';
import { GatewayError } from '../../errors/gateway-error.ts';
import { isSafeName } from './xml-chars.ts';

/**
 * The strict parser for untrusted XML: one root element, namespaces checked, and nothing that
 * XMPP's restricted XML forbids (RFC 6120 §11.1): no DOCTYPE or entity declarations (never
 * expanded), no processing instructions other than the XML declaration, no comments. XML 1.0
 * only (RFC 6120 §11.1: XMPP is XML 1.0); names as xml-chars.ts allows them.
 * Builds ltx Elements, the tree xmpp.js and the rest of the gateway work with.
 */
export interface XmlLimits {
  maxBytes: number;
  /** Deeper trees are refused: nesting costs stack in every later walk of the tree. */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

class Refusal extends Error {}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

function decode(input: Uint8Array | string, maxBytes: number): string {
  if (typeof input === 'string') {
    if (Buffer.byteLength(input, 'utf8') > maxBytes) throw new GatewayError('payload-too-large');
    return input;
  }
  if (input.byteLength > maxBytes) throw new GatewayError('payload-too-large');
  try {
    return utf8.decode(input);
  } catch {
    return refuse('invalid UTF-8');
  }
}

/** Parses exactly one XML element; throws GatewayError `not-well-formed` (or `payload-too-large`). */
export function parseXmlElement(input: Uint8Array | string, limits: XmlLimits): Element {
  try {
    return build(decode(input, limits.maxBytes), limits);
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    // Whatever else the parser throws is still about the input, never a server fault.
    throw new GatewayError('not-well-formed', { cause: error });
  }
}

function build(text: string, limits: XmlLimits): Element {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  // XML 1.0 only, whatever the declaration says: XML 1.1 would let `&#x1;` through, and the
  // XMPP server parses the component stream as XML 1.0 and closes it on such a character.
  const parser = new SaxesParser({ xmlns: true, position: false, defaultXMLVersion: '1.0', forceXMLVersion: true });
  let root: Element | undefined;
  let current: Element | undefined;
  let closedRoot = false;

  parser.on('error', (error) => refuse(error.message));
  parser.on('doctype', () => refuse('DOCTYPE is not allowed'));
  parser.on('processinginstruction', () => refuse('processing instructions are not allowed'));
  parser.on('comment', () => refuse('comments are not allowed'));
  parser.on('xmldecl', (decl) => {
    if (decl.version !== '1.0') refuse(`only XML 1.0 is accepted, not ${decl.version ?? 'no version'}`);
    if (decl.encoding !== undefined && decl.encoding.toLowerCase() !== 'utf-8') refuse('only UTF-8 is accepted');
  });
  parser.on('opentag', (tag) => {
    if (closedRoot) refuse('more than one root element');
    if (!isSafeName(tag.name)) refuse(`element name outside ASCII: ${tag.name}`);
    const attrs: Record<string, string> = {};
    for (const [name, attribute] of Object.entries(tag.attributes)) {
      if (!isSafeName(name)) refuse(`attribute name outside ASCII: ${name}`);
      attrs[name] = attribute.value;
    }
    const element = new Element(tag.name, attrs);
    if (current) {
      current.cnode(element);
    } else {
      root = element;
    }
    current = element;
    if (depthOf(element) > maxDepth) refuse(`elements nested deeper than ${maxDepth}`);
  });
  parser.on('closetag', () => {
    current = current?.parent ?? undefined;
    if (!current) closedRoot = true;
  });
  const onText = (data: string) => {
    if (current) {
      current.t(data);
    } else if (data.trim() !== '') {
      refuse('text outside the root element');
    }
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  parser.write(text).close();
  if (!root || !closedRoot) refuse('no root element');
  return root;
}

function depthOf(element: Element): number {
  let depth = 1;
  for (let node = element.parent; node; node = node.parent) depth += 1;
  return depth;
}
