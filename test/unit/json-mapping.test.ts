import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Element } from 'ltx';
import { parseXmlElement, serializeElement, stanzaFromElement } from '../../src/xmpp/codec/index.ts';
import {
  customFields,
  elementFromJson,
  type JsonObject,
  jsonFromElement,
  kindFields,
} from '../../src/xmpp/codec/json-mapping/index.ts';
import { canonical } from '../../src/xmpp/codec/json-mapping/canonical.ts';
import { iqPayloads, samples } from '../support/json-samples.ts';

/** mod_rest's JSON mapping, both ways, without a server (the integration files use Prosody). */
const options = { maxBytes: 1 << 20 };
const toXml = (json: JsonObject) => serializeElement(elementFromJson(json, options));
const fromXml = (xml: string) => jsonFromElement(parseXmlElement(xml, options));

describe('JSON mapping: every mapped field, both ways', () => {
  for (const [kind, sample] of Object.entries(samples)) {
    it(`${kind}: JSON → XML → JSON gives the same fields, nothing left over in xml`, () => {
      assert.deepEqual(fromXml(toXml(sample)), sample);
    });
  }

  it('the samples cover every field of every table', () => {
    const iqKeys = new Set(iqPayloads.flatMap((payload) => Object.keys(payload)));
    for (const [kind, fields] of Object.entries(kindFields)) {
      const covered = new Set([
        ...Object.keys(samples[kind as keyof typeof samples]),
        ...(kind === 'iq' ? iqKeys : []),
      ]);
      for (const key of Object.keys(fields)) assert.ok(covered.has(key), `${kind}.${key} has no sample`);
    }
    const customCovered = new Set([...Object.keys(samples.message), ...iqKeys]);
    for (const key of Object.keys(customFields)) assert.ok(customCovered.has(key), `${key} has no sample`);
  });

  for (const payload of iqPayloads) {
    it(`iq ${JSON.stringify(payload).slice(0, 60)}`, () => {
      const json = { kind: 'iq', type: 'set', id: 'i', ...payload };
      assert.deepEqual(fromXml(toXml(json)), json);
    });
  }
});

describe('JSON → XML: what mod_rest writes', () => {
  for (const [json, xml] of [
    [{ to: 'example.net', ping: true }, "<iq to='example.net' type='get'><ping xmlns='urn:xmpp:ping'/></iq>"],
    [{ to: 'example.net', version: {} }, "<iq to='example.net' type='get'><query xmlns='jabber:iq:version'/></iq>"],
    [{ body: 'hi', type: 'chat' }, "<message type='chat'><body>hi</body></message>"],
    [{ show: 'dnd', type: 'available' }, '<presence><show>dnd</show></presence>'],
    [{ command: 'uptime' }, "<iq type='set'><command node='uptime' xmlns='http://jabber.org/protocol/commands'/></iq>"],
    [{ join: true, to: 'r@muc/n' }, "<presence to='r@muc/n'><x xmlns='http://jabber.org/protocol/muc'/></presence>"],
    [{ disco: '' }, "<iq type='get'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>"],
    [{ items: { node: 'n' } }, "<iq type='get'><query node='n' xmlns='http://jabber.org/protocol/disco#items'/></iq>"],
    [
      { kind: 'message', error: { type: 'modify', condition: 'bad-request', text: 'no' } },
      "<message type='error'><error type='modify'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>no</text></error></message>",
    ],
    [
      { archive: { with: 'a@b', ids: 'x,y', max: '5' } },
      "<iq type='set'><query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field><field var='with'><value>a@b</value></field><field var='ids'><value>x</value><value>y</value></field></x><set xmlns='http://jabber.org/protocol/rsm'><max>5</max></set></query></iq>",
    ],
  ] as const) {
    it(JSON.stringify(json), () => assert.equal(toXml(json as unknown as JsonObject), xml));
  }

  it('infers the kind: kind, else the type, else a field, else message', () => {
    const kindOf = (json: JsonObject) => elementFromJson(json, options).name;
    assert.equal(kindOf({ kind: 'presence', body: 'x' }), 'presence');
    assert.equal(kindOf({ type: 'groupchat' }), 'message');
    assert.equal(kindOf({ type: 'unavailable' }), 'presence');
    assert.equal(kindOf({ type: 'set', to: 'x' }), 'iq');
    assert.equal(kindOf({ lastactivity: {} }), 'iq');
    assert.equal(kindOf({ status: 'here' }), 'presence');
    assert.equal(kindOf({ to: 'x' }), 'message');
  });

  it('a reply defaults to the kind it answers, and an iq to type result', () => {
    const reply = elementFromJson({ version: { name: 'x' } }, { ...options, reply: true, defaultKind: 'iq' });
    assert.equal(reply.attrs.type, 'result');
    const error = elementFromJson(
      { error: { condition: 'item-not-found' } },
      { ...options, reply: true, defaultKind: 'iq' },
    );
    assert.equal(error.name, 'iq');
    assert.equal(error.attrs.type, 'error');
  });

  it('values of the wrong type are left out (a form carries strings only: ping=true is no flag)', () => {
    assert.equal(toXml({ ping: 'true' }), "<iq type='get'/>");
    assert.equal(toXml({ body: 5, priority: 'x' }), '<message/>');
    assert.equal(toXml({ kind: 'presence', priority: '5' }), '<presence><priority>5</priority></presence>');
    assert.equal(toXml({ state: 'typing', body: 'x' }), '<message><body>x</body></message>');
  });

  it('honours from without to (mod_rest drops it) and passes any to on for the codec to judge', () => {
    assert.equal(toXml({ from: 'bot@x', body: 'b' }), "<message from='bot@x'><body>b</body></message>");
    assert.equal(toXml({ to: 'not a jid@@', body: 'b' }), "<message to='not a jid@@'><body>b</body></message>");
  });

  for (const [name, json] of [
    ['an array', [1, 2]],
    ['an empty object', {}],
    ['a string', 'hello'],
    ['an unknown kind', { kind: 'foo' }],
    ['html that is not XML', { html: '<body><p>unclosed</body>' }],
    ['html with a DOCTYPE', { html: '<!DOCTYPE x><body/>' }],
    ['xml that is not XML', { body: 'x', xml: '<x' }],
    ['text in xml', { body: 'x', xml: 'loose text <y/>' }],
  ] as const) {
    it(`refuses ${name}: not-well-formed`, () => {
      assert.throws(() => elementFromJson(json as unknown as JsonObject, options), { kind: 'not-well-formed' });
    });
  }

  it('a payload nested deeper than JSON.stringify goes: not-well-formed, never a crash', () => {
    const data = JSON.parse('['.repeat(90_000) + ']'.repeat(90_000)) as JsonObject;
    assert.throws(() => elementFromJson({ kind: 'message', payload: { data } }, options), { kind: 'not-well-formed' });
  });

  it('text XML cannot carry is left to the codec: its wire check refuses it (not-acceptable)', () => {
    for (const body of ['a\u0000b', '\uD800', 'x\uFFFE']) {
      const element = elementFromJson({ to: 'alice@example.net', body }, options);
      assert.throws(() => stanzaFromElement(element, { domain: 'rest.example.net', maxStanzaBytes: 1 << 18 }), {
        kind: 'invalid-character',
      });
    }
  });

  it('bounds the nesting of forwarded messages (an error, never a stack overflow)', () => {
    let json: JsonObject = { body: 'deep' };
    for (let i = 0; i < 5000; i += 1) json = { forwarded: { message: json } };
    assert.throws(() => elementFromJson({ kind: 'message', ...json }, options), { kind: 'not-well-formed' });
  });
});

describe('the xml field: what the mapping cannot express, both ways', () => {
  it('a custom payload travels as XML and comes back as it was', () => {
    const xml = "<iq id='i' type='result'><query xmlns='urn:example:bot' a='1'><item>x &amp; y</item></query></iq>";
    const json = fromXml(xml);
    assert.deepEqual(json, {
      kind: 'iq',
      type: 'result',
      id: 'i',
      xml: "<query xmlns='urn:example:bot' a='1'><item>x &amp; y</item></query>",
    });
    assert.equal(toXml(json), xml);
  });

  it('an element mapped only in part is also given whole; sent back, the whole one replaces the mapped one', () => {
    const xml =
      "<iq type='result' id='i'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='server' type='im'/>" +
      "<feature var='urn:x'/><x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:f</value></field>" +
      "<field var='a' type='text-single' label='A'><value>1</value></field></x></query></iq>";
    const json = fromXml(xml);
    assert.deepEqual(json.disco, {
      identities: [{ category: 'server', type: 'im' }],
      features: ['urn:x'],
      extensions: { 'urn:f': { a: '1' } },
    });
    assert.equal(typeof json.xml, 'string');
    const back = elementFromJson(json, options);
    assert.equal(back.children.length, 1);
    assert.equal(canonical(back), canonical(parseXmlElement(xml, options)));
  });

  it('a second body (another language) is kept beside the mapped one', () => {
    const json = fromXml("<message><body>hi</body><body xml:lang='de'>hallo</body></message>");
    assert.equal(json.body, 'hi');
    assert.equal(json.xml, "<body xml:lang='de'>hallo</body>");
    assert.equal(toXml(json), "<message><body>hi</body><body xml:lang='de'>hallo</body></message>");
  });

  it('an error stanza maps its error; the rest of it travels as XML', () => {
    const json = fromXml(
      "<iq type='error' id='i'><query xmlns='jabber:iq:version'/><error type='cancel' by='x'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    );
    assert.deepEqual(json.error, { type: 'cancel', condition: 'service-unavailable', by: 'x' });
    assert.equal(json.xml, "<query xmlns='jabber:iq:version'/>");
  });

  it('declares on each element the prefixes it takes from the stanza', () => {
    const element: Element = parseXmlElement("<message xmlns:e='urn:e'><e:thing e:attr='1'/></message>", options);
    const json = jsonFromElement(element);
    assert.equal(json.xml, "<e:thing e:attr='1' xmlns:e='urn:e'/>");
    assert.equal(canonical(elementFromJson(json, options)), canonical(element));
  });

  it('a payload whose data is not JSON is not mapped, but kept', () => {
    const json = fromXml("<message><payload xmlns='urn:xmpp:json-msg:0' datatype='x'>{nope</payload></message>");
    assert.equal(json.payload, undefined);
    assert.equal(json.xml, "<payload xmlns='urn:xmpp:json-msg:0' datatype='x'>{nope</payload>");
  });
});
