import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseJid } from '../../src/xmpp/jid.ts';

describe('parseJid', () => {
  const valid: [string, string][] = [
    ['ALICE@LocalHost', 'alice@localhost'],
    ['alice@localhost/Phone', 'alice@localhost/Phone'],
    ['localhost', 'localhost'],
    ['localhost.', 'localhost'],
    ['rest.example.net', 'rest.example.net'],
    ['a@b/c/d', 'a@b/c/d'],
    ['a@b/c@d', 'a@b/c@d'],
    ['Ω@Example.COM', 'ω@example.com'],
    ['ｆｕｌｌ@example.com', 'full@example.com'],
    ['x@127.0.0.1', 'x@127.0.0.1'],
    ['x@[::1]', 'x@[::1]'],
    ['münchen.example', 'münchen.example'],
    ['user@host/with space', 'user@host/with space'],
    // What Prosody and ejabberd accept, normalised as they normalise it (stringprep).
    ['Straße@localhost', 'strasse@localhost'],
    ['ΟΔΟΣ@localhost', 'οδοσ@localhost'],
    ['\ufb01@localhost', 'fi@localhost'],
    ['\u216b@localhost', 'xii@localhost'],
    ['al\u00adice@localhost', 'alice@localhost'],
    ['al\u200bice@localhost', 'alice@localhost'],
    ['\u2665@localhost', '\u2665@localhost'],
    ['\u05e9\u05e9@localhost', '\u05e9\u05e9@localhost'],
    ['\u{20000}@localhost', '\u{20000}@localhost'],
    ['alice@localhost/\uff21\uff22', 'alice@localhost/AB'],
    ['alice@localhost/a\u00a0b', 'alice@localhost/a b'],
    ['alice@localhost/a\u3000b', 'alice@localhost/a b'],
    ['alice@localhost/Stra\u00dfe', 'alice@localhost/Stra\u00dfe'],
    ['alice@localhost/\u2665', 'alice@localhost/\u2665'],
    ['alice@local\u00adhost', 'alice@localhost'],
    ['alice@B\u00dcCHER.example', 'alice@b\u00fccher.example'],
    ['alice@a\u3002example', 'alice@a.example'],
  ];
  for (const [input, expected] of valid) {
    it(`normalises ${JSON.stringify(input)}`, () => assert.equal(parseJid(input)?.toString(), expected));
  }

  const invalid = [
    '',
    '@localhost',
    'alice@',
    'alice@@localhost',
    'alice smith@localhost',
    'alice@local host',
    "o'brien@localhost",
    'a"b@localhost',
    'a<b@localhost',
    'a:b@localhost',
    'alice@localhost/',
    'alice@-bad.example',
    'alice@bad-.example',
    'alice@exa_mple.com',
    'alice@256.1.1.1',
    'alice@localhost/\u0007',
    // Outside XML 1.0: Prosody closes the component stream over them (the wire check's job too).
    'alice@localhost/r\uffff',
    'a\ufffe@localhost',
    'alice@localhost/\ud800',
    'alice@localhost/\udfffx',
    `${'a'.repeat(1024)}@localhost`,
    `alice@${'a'.repeat(64)}.example`,
    'alice@[::1',
    'alice@[not-an-ip]',
    // Refused by both servers (ejabberd: bad-request, Prosody: jid-malformed).
    'a\u00a0b@localhost',
    'a\u3000b@localhost',
    'a\u1680b@localhost',
    'a\u05e9@localhost',
    '\u05e91@localhost',
    'alice@localhost/a\u05e9',
    'alice@localhost/\u05e91',
    '\u05e91.example',
    'a\ue000@localhost',
    'alice@localhost/a\ue000',
    'a\u2028@localhost',
    'alice@localhost/a\u2028',
    'a\ufffd@localhost',
    'a\u2ff0@localhost',
    'a\u{e0001}@localhost',
    'a\u0085b@localhost',
    'a\u007fb@localhost',
    'alice@localhost/a\u0085b',
    'a\u06ddb@localhost',
    '\u200b@localhost',
    'alice@localhost/\u200b',
    // Refused by ejabberd (unassigned in Unicode 3.2); Prosody lets these through.
    '\u{1f600}@localhost',
    'alice@localhost/\u{1f600}',
    'a\u0221@localhost',
    'alice@localhost/a\u0221',
    'a\u0378@localhost',
    '\u{2a700}@localhost',
    '\u{1f1e6}@localhost',
    'alice@\u{1f600}.example',
    'alice@a\u0221.example',
  ];
  for (const input of invalid) {
    it(`refuses ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`, () =>
      assert.equal(parseJid(input), undefined));
  }

  it('exposes the parts and the bare JID', () => {
    const jid = parseJid('Bot@Rest.Example.Net/Work')!;
    assert.equal(jid.local, 'bot');
    assert.equal(jid.domain, 'rest.example.net');
    assert.equal(jid.resource, 'Work');
    assert.equal(jid.bare().toString(), 'bot@rest.example.net');
    assert.ok(jid.bare().isBare());
    assert.ok(jid.equals(parseJid('bot@rest.example.net/Work')!));
  });
});
