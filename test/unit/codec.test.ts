import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Element } from 'ltx';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import {
  decodeInbound,
  errorReply,
  iqResult,
  parseStanza,
  parseXmlElement,
  readStanzaError,
  serializeElement,
  stanzaFromElement,
} from '../../src/xmpp/codec/index.ts';

const rules = { domain: 'rest.example.net', maxBytes: 4096, maxStanzaBytes: 8192 };

function failure(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof GatewayError, `expected a GatewayError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a failure');
}

describe('parseXmlElement', () => {
  it("round-trips payload XML byte-for-byte in the codec's own form", () => {
    const xml =
      "<x xmlns='urn:x' a='1 &amp; &lt;2&gt; &quot;q&quot; &apos;s&apos;'>one <b>two</b> &amp; three &lt;four&gt;<y:z xmlns:y='urn:y' y:attr='v'/>tail</x>";
    assert.equal(serializeElement(parseXmlElement(xml, rules)), xml);
  });

  it('keeps characters a parser would normalise away (CR in text, whitespace in attributes)', () => {
    const xml = "<x a='tab&#9;lf&#10;cr&#13;'>line&#13;\nnext</x>";
    const once = serializeElement(parseXmlElement(xml, rules));
    assert.equal(once, xml);
    assert.equal(serializeElement(parseXmlElement(once, rules)), xml);
  });

  it('turns CDATA into escaped text', () => {
    assert.equal(serializeElement(parseXmlElement('<x><![CDATA[a < b & c]]></x>', rules)), '<x>a &lt; b &amp; c</x>');
  });

  it('accepts a UTF-8 BOM and an XML declaration', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("<?xml version='1.0'?><x/>")]);
    assert.equal(serializeElement(parseXmlElement(bytes, rules)), '<x/>');
  });

  it('refuses input over the size limit before parsing', () => {
    assert.equal(failure(() => parseXmlElement('<x/>'.repeat(2000), rules)).kind, 'payload-too-large');
  });

  it('refuses nesting deeper than the limit', () => {
    const deep = '<a>'.repeat(70) + '</a>'.repeat(70);
    assert.equal(failure(() => parseXmlElement(deep, rules)).kind, 'not-well-formed');
    assert.doesNotThrow(() => parseXmlElement('<a>'.repeat(60) + '</a>'.repeat(60), rules));
  });

  it('refuses names outside ASCII, which expat would reject by closing the stream', () => {
    assert.equal(failure(() => parseXmlElement("<x h\ufffdsh='1'/>", rules)).kind, 'not-well-formed');
    assert.equal(failure(() => parseXmlElement('<é/>', rules)).kind, 'not-well-formed');
    assert.doesNotThrow(() => parseXmlElement("<x a='é ü \ufffd 😀'>é 😀</x>", rules));
  });

  for (const [name, input] of [
    ['an entity reference to an internal subset', '<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>'],
    ['an external entity', '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'],
    ['a billion laughs', '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><x>&b;</x>'],
    ['a comment inside', '<x><!-- c --></x>'],
    ['lone text', 'hello'],
  ] as const) {
    it(`refuses ${name}`, () => assert.equal(failure(() => parseXmlElement(input, rules)).kind, 'not-well-formed'));
  }
});

describe('stanza rules', () => {
  it('normalises: from/id defaults, JIDs prepped, unknown attributes dropped, prefix declarations kept', () => {
    const stanza = parseStanza(
      "<message xmlns='jabber:client' xmlns:e='urn:e' to='ALICE@Example.NET' type='chat' xml:lang='en' extra='x'><e:x/></message>",
      rules,
    );
    assert.equal(stanza.kind, 'message');
    assert.equal(stanza.from.toString(), 'rest.example.net');
    assert.equal(stanza.to.toString(), 'alice@example.net');
    assert.match(stanza.id, /^[0-9a-f-]{36}$/);
    assert.equal(
      stanza.toXml(),
      `<message from='rest.example.net' to='alice@example.net' id='${stanza.id}' type='chat' xml:lang='en' xmlns:e='urn:e'><e:x/></message>`,
    );
  });

  it('addresses a stanza without to at the component domain', () => {
    assert.equal(parseStanza('<presence/>', rules).to.toString(), 'rest.example.net');
  });

  const refusals: [string, string, string | undefined][] = [
    ['<foo/>', 'unsupported-stanza-type', 'name'],
    ["<message xmlns='jabber:server'/>", 'invalid-namespace', 'xmlns'],
    ["<message to=''/>", 'invalid-to', 'to'],
    ["<message from='a@@b'/>", 'invalid-from', 'from'],
    ["<message from='example.net'/>", 'from-not-authorized', 'from'],
    ["<iq type='result'><x/></iq>", 'invalid-iq-type', 'type'],
    ["<iq type='get'/>", 'iq-child-count', 'payload'],
  ];
  for (const [xml, kind, field] of refusals) {
    it(`refuses ${xml} as ${kind}`, () => {
      const error = failure(() => parseStanza(xml, rules));
      assert.equal(error.kind, kind);
      assert.equal(error.field, field);
    });
  }

  it("checks in mod_rest's order: kind before namespace before addresses", () => {
    assert.equal(failure(() => parseStanza("<foo xmlns='x' to=''/>", rules)).kind, 'unsupported-stanza-type');
    assert.equal(failure(() => parseStanza("<message xmlns='x' to=''/>", rules)).kind, 'invalid-namespace');
    assert.equal(failure(() => parseStanza("<message to='' from='bad@@'/>", rules)).kind, 'invalid-to');
  });

  it('lets API clients answer iqs when allowed', () => {
    const reply = stanzaFromElement(new Element('iq', { type: 'result', to: 'a@example.net', id: 'q1' }), {
      domain: 'rest.example.net',
      allowIqReplies: true,
      maxStanzaBytes: 8192,
    });
    assert.equal(reply.type, 'result');
    assert.equal(
      failure(() =>
        stanzaFromElement(new Element('iq', { type: 'result' }), { domain: 'rest.example.net', maxStanzaBytes: 8192 }),
      ).kind,
      'invalid-iq-type',
    );
  });
});

describe('inbound stanzas and replies', () => {
  const wire = parseXmlElement(
    "<iq xmlns='jabber:component:accept' from='alice@example.net/phone' to='bot@rest.example.net' type='get' id='q1'><query xmlns='urn:q'/></iq>",
    rules,
  );

  it('presents inbound stanzas in jabber:client form', () => {
    const stanza = decodeInbound(wire, 'rest.example.net')!;
    assert.equal(
      stanza.toXml(),
      "<iq from='alice@example.net/phone' to='bot@rest.example.net' type='get' id='q1'><query xmlns='urn:q'/></iq>",
    );
    assert.ok(stanza.isIqRequest);
    assert.equal(stanza.payloads[0]!.attrs.xmlns, 'urn:q');
  });

  it('refuses elements that are not stanzas or lack a sender', () => {
    assert.equal(decodeInbound(parseXmlElement('<handshake/>', rules), 'rest.example.net'), undefined);
    assert.equal(decodeInbound(parseXmlElement('<message to="x@y"/>', rules), 'rest.example.net'), undefined);
  });

  it('builds results and errors addressed back to the sender', () => {
    const request = decodeInbound(wire, 'rest.example.net')!;
    assert.equal(
      iqResult(request).toXml(),
      "<iq from='bot@rest.example.net' to='alice@example.net/phone' id='q1' type='result'/>",
    );
    const error = errorReply(request, { type: 'wait', condition: 'remote-server-timeout', text: 'a < b' });
    assert.equal(
      error.toXml(),
      "<iq from='bot@rest.example.net' to='alice@example.net/phone' id='q1' type='error'><error type='wait' by='bot@rest.example.net'>" +
        "<remote-server-timeout xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>a &lt; b</text></error></iq>",
    );
    assert.deepEqual(readStanzaError(error), { type: 'wait', condition: 'remote-server-timeout', text: 'a < b' });
    assert.ok(error.isReply);
  });
});
