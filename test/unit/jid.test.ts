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
