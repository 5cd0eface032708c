import { Element } from 'ltx';
import { SaxesParser } from 'saxes';
import { GatewayError } from '../../errors/gateway-error.ts';

/**
 * The strict parser for untrusted XML: one root element, namespaces checked, and nothing that
 * XMPP's restricted XML forbids (RFC 6120 §11.1): no DOCTYPE or entity declarations (never
 * expanded), no processing instructions other than the XML declaration, no comments.
 * Builds ltx Elements, the tree xmpp.js and the rest of the gateway work with.
 */
export interface XmlLimits {
  maxBytes: number;
  /** Deeper trees are refused: nesting costs stack in every later walk of the tree. */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;
/**
 * Element and attribute names are limited to ASCII. XML 1.0 (5th edition) allows far more, but
 * expat — the parser of Prosody and of ejabberd's fast_xml — follows the 4th edition's name
 * classes and closes the whole component stream on a name it rejects (found by the fuzz test:
 * U+FFFD in an attribute name). XMPP's own names are all ASCII.
 */
const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?$/;
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
  const parser = new SaxesParser({ xmlns: true, position: false });
  let root: Element | undefined;
  let current: Element | undefined;
  let closedRoot = false;

  parser.on('error', (error) => refuse(error.message));
  parser.on('doctype', () => refuse('DOCTYPE is not allowed'));
  parser.on('processinginstruction', () => refuse('processing instructions are not allowed'));
  parser.on('comment', () => refuse('comments are not allowed'));
  parser.on('xmldecl', (decl) => {
    if (decl.encoding !== undefined && decl.encoding.toLowerCase() !== 'utf-8') refuse('only UTF-8 is accepted');
  });
  parser.on('opentag', (tag) => {
    if (closedRoot) refuse('more than one root element');
    if (!SAFE_NAME.test(tag.name)) refuse(`element name outside ASCII: ${tag.name}`);
    const attrs: Record<string, string> = {};
    for (const [name, attribute] of Object.entries(tag.attributes)) {
      if (!SAFE_NAME.test(name)) refuse(`attribute name outside ASCII: ${name}`);
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
