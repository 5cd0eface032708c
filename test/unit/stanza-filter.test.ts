import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeInbound, parseXmlElement, type Stanza } from '../../src/xmpp/codec/index.ts';
import { parseJid, type Jid } from '../../src/xmpp/jid.ts';
import { compactFilter, effectiveType, matchesFilter, type StanzaFilter } from '../../src/subscribers/stanza-filter.ts';

const DOMAIN = 'rest.example.net';

function inbound(xml: string): Stanza {
  const stanza = decodeInbound(parseXmlElement(xml, { maxBytes: 10_000 }), DOMAIN);
  assert.ok(stanza, xml);
  return stanza;
}

const jids = (...values: string[]): Jid[] => values.map((value) => parseJid(value)!);

const chat = inbound(
  `<message from='alice@example.net/phone' to='bot@${DOMAIN}' type='chat'><body>hi</body></message>`,
);
const plain = inbound(`<message from='alice@example.net/laptop' to='${DOMAIN}'><x xmlns='urn:x'/></message>`);
const odd = inbound(`<message from='bob@example.net' to='bot@${DOMAIN}' type='bogus'/>`);
const presence = inbound(`<presence from='bob@example.net/a' to='bot@${DOMAIN}/r'/>`);
const iq = inbound(`<iq from='bob@example.net/a' to='bot@${DOMAIN}' type='get' id='1'><query xmlns='urn:q'/></iq>`);

describe('effectiveType', () => {
  it('reads RFC 6121 defaults: normal for messages, available for presences', () => {
    assert.equal(effectiveType(chat), 'chat');
    assert.equal(effectiveType(plain), 'normal');
    assert.equal(effectiveType(odd), 'normal');
    assert.equal(effectiveType(presence), 'available');
    assert.equal(effectiveType(iq), 'get');
  });
});

describe('matchesFilter', () => {
  const cases: [string, StanzaFilter, Stanza[]][] = [
    ['no filter', {}, [chat, plain, odd, presence, iq]],
    [
      'empty lists are no filter',
      { kinds: [], types: [], from: [], to: [], xmlns: [] },
      [chat, plain, odd, presence, iq],
    ],
    ['null lists are no filter', { kinds: null, types: null }, [chat, plain, odd, presence, iq]],
    ['kinds', { kinds: ['presence', 'iq'] }, [presence, iq]],
    ['types (effective)', { types: ['normal'] }, [plain, odd]],
    ['types available', { types: ['available'] }, [presence]],
    ['from bare matches every resource', { from: jids('alice@example.net') }, [chat, plain]],
    ['from full matches exactly', { from: jids('alice@example.net/phone') }, [chat]],
    ['from a domain matches only the domain itself', { from: jids('example.net') }, []],
    ['to bare', { to: jids(`bot@${DOMAIN}`) }, [chat, odd, presence, iq]],
    ['to the domain', { to: jids(DOMAIN) }, [plain]],
    ['to full', { to: jids(`bot@${DOMAIN}/r`) }, [presence]],
    ['xmlns of a payload', { xmlns: ['urn:x', 'urn:q'] }, [plain, iq]],
    ['xmlns jabber:client matches body', { xmlns: ['jabber:client'] }, [chat]],
    ['lists combine with and', { kinds: ['message'], from: jids('alice@example.net'), xmlns: ['urn:x'] }, [plain]],
  ];
  const all = [chat, plain, odd, presence, iq];
  for (const [name, filter, expected] of cases) {
    it(name, () => {
      assert.deepEqual(
        all.filter((stanza) => matchesFilter(stanza, filter)).map((stanza) => stanza.toXml()),
        expected.map((stanza) => stanza.toXml()),
      );
    });
    it(`${name}: compacted, the same stanzas, one shape`, () => {
      const compact = compactFilter(filter);
      assert.deepEqual(
        all.filter((stanza) => matchesFilter(stanza, compact)).map((stanza) => stanza.toXml()),
        expected.map((stanza) => stanza.toXml()),
      );
      assert.deepEqual(Object.keys(compact), ['kinds', 'types', 'from', 'to', 'xmlns']);
      for (const list of Object.values(compact)) assert.ok(list === undefined || (list as unknown[]).length > 0);
    });
  }
});
