import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EchoGuard } from '../../src/webhooks/echo-guard.ts';
import { decodeInbound, parseXmlElement, type Stanza } from '../../src/xmpp/codec/index.ts';

const DOMAIN = 'rest.example.net';

/** A stanza as the core holds it (sent, or received: the same addresses and id). */
function stanza(from: string, to: string, id = 'r1', kind = 'message'): Stanza {
  return decodeInbound(parseXmlElement(`<${kind} from='${from}' to='${to}' id='${id}'/>`, { maxBytes: 1000 }), DOMAIN)!;
}

describe('EchoGuard', () => {
  it('recognises a reply sent to the own domain once, when it comes back', () => {
    const guard = new EchoGuard({ domain: DOMAIN });
    const reply = stanza(`bot@${DOMAIN}`, DOMAIN);
    guard.sending(reply);
    assert.equal(guard.returned(stanza(`bot@${DOMAIN}`, DOMAIN)), true);
    assert.equal(guard.returned(stanza(`bot@${DOMAIN}`, DOMAIN)), false, 'once only');
    assert.equal(guard.size, 0);
  });

  it('ignores replies to other domains and stanzas that differ in kind, id or addresses', () => {
    const guard = new EchoGuard({ domain: DOMAIN });
    guard.sending(stanza(`bot@${DOMAIN}`, 'alice@example.net/phone'));
    assert.equal(guard.size, 0, 'a reply to a user never comes back');
    guard.sending(stanza(`bot@${DOMAIN}`, `cron@${DOMAIN}/x`));
    assert.equal(guard.returned(stanza(`bot@${DOMAIN}`, `cron@${DOMAIN}/x`, 'other')), false);
    assert.equal(guard.returned(stanza(`bot@${DOMAIN}`, `cron@${DOMAIN}/x`, 'r1', 'presence')), false);
    assert.equal(guard.returned(stanza(`bot@${DOMAIN}`, `cron@${DOMAIN}/y`)), false);
    assert.equal(guard.returned(stanza(`bot@${DOMAIN}`, `cron@${DOMAIN}/x`)), true);
  });

  it('forgets a reply whose send failed, expired ones, and the oldest past its bound', () => {
    const guard = new EchoGuard({ domain: DOMAIN, ttlMs: 1000, max: 2 });
    const failed = stanza(`bot@${DOMAIN}`, DOMAIN, 'failed');
    guard.sending(failed, 0);
    guard.notSent(failed);
    assert.equal(guard.returned(failed, 10), false);
    guard.sending(stanza(`bot@${DOMAIN}`, DOMAIN, 'old'), 0);
    assert.equal(guard.returned(stanza(`bot@${DOMAIN}`, DOMAIN, 'old'), 1000), false, 'expired');
    for (const id of ['a', 'b', 'c']) guard.sending(stanza(`bot@${DOMAIN}`, DOMAIN, id), 2000);
    assert.equal(guard.size, 2);
    assert.equal(guard.returned(stanza(`bot@${DOMAIN}`, DOMAIN, 'a'), 2001), false, 'evicted');
    assert.equal(guard.returned(stanza(`bot@${DOMAIN}`, DOMAIN, 'c'), 2001), true);
  });
});
