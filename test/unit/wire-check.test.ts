import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Element } from 'ltx';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { parseStanza, parseXmlElement, stanzaFromElement } from '../../src/xmpp/codec/index.ts';

/**
 * The wire check: the one gate for what is written to the XMPP server. Trees built in code (typed
 * GraphQL fields, webhook replies, a JSON mapping) have not been through the parser, so the check
 * itself must refuse what the server would close the stream over.
 */
const rules = { domain: 'rest.example.net', maxStanzaBytes: 1000 };

function failure(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof GatewayError, `expected a GatewayError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a failure');
}

/** Appends a child element (with text, if given) and returns it. */
function child(parent: Element, name: string, attrs: Record<string, string> = {}, text?: string): Element {
  const element = new Element(name, attrs);
  if (text !== undefined) element.t(text);
  parent.cnode(element);
  return element;
}

function message(build: (stanza: Element) => void): Element {
  const stanza = new Element('message', { to: 'alice@example.net' });
  build(stanza);
  return stanza;
}

describe('the wire check', () => {
  const poison = { 'U+0000': '\u0000', 'U+0001': '\u0001', 'U+001F': '\u001f', 'U+FFFE': '\ufffe', 'U+FFFF': '\uffff' };
  for (const [name, char] of Object.entries({
    ...poison,
    'U+D800 (unpaired)': '\ud800',
    'U+DC00 (unpaired)': '\udc00',
  })) {
    it(`refuses ${name} in text and in attributes, locating it`, () => {
      const inText = failure(() =>
        stanzaFromElement(
          message((m) => child(m, 'body', {}, `a${char}b`)),
          rules,
        ),
      );
      assert.deepEqual(
        [inText.kind, inText.http, inText.condition, inText.field],
        ['invalid-character', 400, 'not-acceptable', 'body'],
      );
      assert.match(inText.text, new RegExp(name.slice(0, 6).replace('+', '\\+')));
      const inAttr = failure(() =>
        stanzaFromElement(
          message((m) => (m.attrs.id = `x${char}`)),
          rules,
        ),
      );
      assert.equal(inAttr.field, '@id');
      const deep = failure(() =>
        stanzaFromElement(
          message((m) => child(child(m, 'query', { xmlns: 'urn:x' }), 'item', { node: char })),
          rules,
        ),
      );
      assert.equal(deep.field, 'query/item@node');
    });
  }

  it('lets every XML 1.0 character through: TAB, LF, CR, astral, noncharacters other than U+FFFE/U+FFFF', () => {
    const text = '\t\n\r \u0085\u00a0\ud7ff\ue000\ufdd0\ufffd\u{10000}\u{1fffe}\u{10ffff}😀';
    const stanza = stanzaFromElement(
      message((m) => child(m, 'body', {}, text)),
      rules,
    );
    assert.equal(parseXmlElement(stanza.toWire(1000), { maxBytes: 1000 }).getChildText('body'), text);
  });

  it('refuses names and namespaces that expat rejects', () => {
    const cases: [string, (m: Element) => void][] = [
      ['non-ASCII element name', (m) => child(m, 'é')],
      ['attribute name with a space', (m) => child(m, 'x', { xmlns: 'urn:x', 'a b': '1' })],
      ['undeclared element prefix', (m) => child(m, 'p:x')],
      ['undeclared attribute prefix', (m) => child(m, 'x', { xmlns: 'urn:x', 'p:a': '1' })],
      ['an empty prefix declaration', (m) => child(m, 'p:x', { 'xmlns:p': '' })],
      ['xml bound elsewhere', (m) => child(m, 'x', { 'xmlns:xml': 'urn:x' })],
      [
        'one attribute twice by namespace',
        (m) => child(m, 'x', { 'xmlns:p': 'urn:a', 'xmlns:q': 'urn:a', 'p:a': '1', 'q:a': '2' }),
      ],
    ];
    for (const [name, build] of cases) {
      assert.equal(failure(() => stanzaFromElement(message(build), rules)).kind, 'not-well-formed', name);
    }
    // Declared on the stanza, used below: fine; so are xml:lang and an explicit default namespace.
    const ok = message((m) => {
      m.attrs['xmlns:p'] = 'urn:p';
      m.attrs['xml:lang'] = 'en';
      child(child(m, 'p:x', { 'p:a': '1', a: '2' }), 'y', { xmlns: '' });
    });
    assert.doesNotThrow(() => stanzaFromElement(ok, rules));
  });

  it('counts the serialised size, escapes included', () => {
    // 150 apostrophes are 900 bytes once written as &apos;: past 1000 with the rest of the stanza.
    const grown = failure(() =>
      stanzaFromElement(
        message((m) => child(m, 'x', { xmlns: 'urn:x', a: "'".repeat(150) })),
        rules,
      ),
    );
    assert.deepEqual([grown.kind, grown.http, grown.condition], ['stanza-too-large', 413, 'policy-violation']);
    assert.match(grown.text, /limit is 1000/);
    assert.doesNotThrow(() =>
      stanzaFromElement(
        message((m) => child(m, 'x', { xmlns: 'urn:x', a: "'".repeat(140) })),
        rules,
      ),
    );
  });

  it('is checked again, at its own limit, where the stanza is written', () => {
    const stanza = stanzaFromElement(
      message((m) => child(m, 'body', {}, 'x'.repeat(500))),
      rules,
    );
    assert.equal(stanza.toWire(1000), stanza.toXml());
    assert.equal(failure(() => stanza.toWire(400)).kind, 'stanza-too-large');
    // A stanza mutated after the codec built it is still caught by the characters check.
    const built = stanzaFromElement(
      message((m) => child(m, 'body', {}, 'fine')),
      { ...rules, maxStanzaBytes: 10_000 },
    );
    assert.doesNotThrow(() => built.toWire(10_000));
  });
});

describe('the parser and XML 1.1', () => {
  const parse = (xml: string) => parseStanza(xml, { ...rules, maxBytes: 1000 });
  it('refuses an XML 1.1 declaration, which would let &#x1; through', () => {
    for (const xml of [
      "<?xml version='1.1'?><message to='a@example.net'><body>&#x1;</body></message>",
      "<?xml version='1.1'?><message to='a@example.net'/>",
      "<?xml version='2.0'?><message to='a@example.net'/>",
    ]) {
      const error = failure(() => parse(xml));
      assert.equal(error.kind, 'not-well-formed', xml);
    }
    assert.equal(parse("<?xml version='1.0'?><message to='a@example.net'/>").kind, 'message');
  });

  it('refuses character references outside XML 1.0', () => {
    for (const ref of ['&#x1;', '&#0;', '&#xFFFE;', '&#xFFFF;', '&#xD800;', '&#x110000;']) {
      assert.equal(
        failure(() => parse(`<message to='a@example.net'><body>${ref}</body></message>`)).kind,
        'not-well-formed',
        ref,
      );
    }
  });
});
