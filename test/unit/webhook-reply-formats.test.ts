import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { callbackUrl } from '../../src/webhooks/callback-url.ts';
import type { CallbackExchange } from '../../src/webhooks/callback-client.ts';
import { applyReplyRules } from '../../src/webhooks/reply-rules.ts';
import { stanzaFromLog } from '../../src/webhooks/stored-stanza.ts';
import type { Stanza } from '../../src/xmpp/codec/index.ts';

/** The callback side of mod_rest's formats, without a network: replies, receipts, URLs, settings. */
const DOMAIN = 'rest.localhost';
const RULES = { domain: DOMAIN, maxStanzaBytes: 1 << 18 };

function inbound(xml: string): Stanza {
  const stanza = stanzaFromLog(xml, DOMAIN);
  if (!stanza) throw new Error(xml);
  return stanza;
}

function answered(status: number, contentType?: string, body = ''): Extract<CallbackExchange, { kind: 'response' }> {
  return {
    kind: 'response',
    status,
    reason: '',
    headers: contentType ? { 'content-type': contentType } : {},
    body: Buffer.from(body),
    excerpt: body,
    truncated: false,
    durationMs: 1,
  };
}

const chat =
  "<message from='alice@localhost/phone' to='bot@rest.localhost' id='m1' type='chat'><body>hi</body></message>";
const withReceipt = chat.replace('</message>', "<request xmlns='urn:xmpp:receipts'/></message>");

describe('callback replies in every format', () => {
  it('text/plain on a 2xx answers a message with a chat message carrying the text', () => {
    const verdict = applyReplyRules(inbound(chat), answered(200, 'text/plain', 'hello back'), RULES, 1000);
    assert.equal(verdict.outcome, 'replied');
    assert.match(verdict.reply!.toXml(), /^<message [^>]*type='chat'[^>]*><body>hello back<\/body><\/message>$/);
    assert.equal(verdict.reply!.to.toString(), 'alice@localhost/phone');
  });

  it('text/plain answering a presence is no reply: invalid', () => {
    const presence = inbound("<presence from='alice@localhost/phone' to='bot@rest.localhost'/>");
    const verdict = applyReplyRules(presence, answered(200, 'text/plain', 'hi'), RULES, 1000);
    assert.equal(verdict.outcome, 'invalid-response');
  });

  it('a JSON reply of another kind than the stanza it answers: invalid', () => {
    const verdict = applyReplyRules(inbound(chat), answered(200, 'application/json', '{"show":"away"}'), RULES, 1000);
    assert.equal(verdict.outcome, 'invalid-response');
  });

  it('a groupchat reply goes to the room, not to the occupant (as mod_rest)', () => {
    const fromRoom = inbound(
      "<message from='room@conference.localhost/alice' to='bot@rest.localhost' type='groupchat' id='g1'><body>hi</body></message>",
    );
    const verdict = applyReplyRules(
      fromRoom,
      answered(200, 'application/json', '{"type":"groupchat","body":"hello room"}'),
      RULES,
      1000,
    );
    assert.equal(verdict.reply!.to.toString(), 'room@conference.localhost');
  });

  it('a form body without pairs is text', () => {
    const verdict = applyReplyRules(
      inbound(chat),
      answered(200, 'application/x-www-form-urlencoded', 'ok%21'),
      RULES,
      1000,
    );
    assert.match(verdict.reply!.toXml(), /<body>ok!<\/body>/);
  });
});

describe('XEP-0184 receipts', () => {
  it('202: a receipt with the message id, from the recipient', () => {
    const verdict = applyReplyRules(inbound(withReceipt), answered(202), RULES, 1000);
    assert.match(
      verdict.reply!.toXml(),
      /^<message from='bot@rest.localhost' to='alice@localhost\/phone' id='[^']+'><received xmlns='urn:xmpp:receipts' id='m1'\/><\/message>$/,
    );
  });

  for (const [name, xml] of [
    ['not asked for', chat],
    ['a groupchat message', withReceipt.replace("type='chat'", "type='groupchat'")],
    ['a message without id', withReceipt.replace(" id='m1'", '')],
    ['an error message', withReceipt.replace("type='chat'", "type='error'")],
  ] as const) {
    it(`none for ${name}`, () => {
      assert.equal(applyReplyRules(inbound(xml), answered(204), RULES, 1000).reply, undefined);
    });
  }

  it('never for an error status', () => {
    const verdict = applyReplyRules(inbound(withReceipt), answered(500), RULES, 1000);
    assert.equal(verdict.reply!.type, 'error');
    assert.equal(verdict.reply!.element.getChild('received', 'urn:xmpp:receipts'), undefined);
  });
});

describe('CALLBACK_URL placeholders', () => {
  it('fills {kind}, {type}, {to} and {from}, percent-encoded; a missing value is empty', () => {
    const url = callbackUrl('https://hooks.example/x/{kind}/{type}?to={to}&from={from}&k={kind}#frag');
    assert.equal(url.templated, true);
    assert.equal(
      url.renderPath({ kind: 'message', type: undefined, to: 'bot@rest.localhost/a b', from: 'x&y@z' }),
      '/x/message/?to=bot%40rest.localhost%2Fa%20b&from=x%26y%40z&k=message',
    );
    assert.equal(callbackUrl('https://hooks.example/x').templated, false);
    assert.equal(callbackUrl('http://h:1?q={to}').renderPath({ kind: 'iq', type: 'get', to: 'a', from: 'b' }), '/?q=a');
  });

  it('sends a filled path as it is: a type of ".." does not climb out of the configured path', () => {
    const url = callbackUrl('http://127.0.0.1:9/hooks/{type}/in');
    assert.equal(url.renderPath({ kind: 'message', type: '..', to: 'a', from: 'b' }), '/hooks/../in');
  });
});

describe('settings', () => {
  const base = { XMPP_DOMAIN: DOMAIN, XMPP_SECRET: 's', API_TOKENS: 'a-token-of-16-chars-or-more' };
  it('has the documented defaults', () => {
    const config = loadConfig(base);
    assert.equal(config.webhook.format, 'xml');
    assert.deepEqual(config.webhook.kinds, ['message', 'presence', 'iq']);
    assert.equal(config.rest.maxArchiveResults, 1000);
  });

  it('takes formats by name or media type, kinds as a list', () => {
    assert.equal(loadConfig({ ...base, WEBHOOK_FORMAT: 'application/json' }).webhook.format, 'json');
    assert.equal(loadConfig({ ...base, WEBHOOK_FORMAT: ' Form ' }).webhook.format, 'form');
    assert.deepEqual(loadConfig({ ...base, WEBHOOK_STANZA_KINDS: 'iq, message,iq' }).webhook.kinds, ['iq', 'message']);
  });

  for (const [name, value] of [
    ['WEBHOOK_FORMAT', 'yaml'],
    ['WEBHOOK_STANZA_KINDS', 'message,meta'],
    ['WEBHOOK_STANZA_KINDS', ' , '],
    ['CALLBACK_URL', 'http://{to}/hook'],
    ['CALLBACK_URL', 'https://hooks.example:{type}/x'],
    ['REST_MAX_ARCHIVE_RESULTS', '0'],
  ] as const) {
    it(`refuses ${name}=${value}`, () => {
      assert.throws(() => loadConfig({ ...base, [name]: value }), { setting: name });
    });
  }

  it('allows placeholders in the path and query of CALLBACK_URL', () => {
    const url = 'http://127.0.0.1:9/hook/{kind}?to={to}';
    assert.equal(loadConfig({ ...base, CALLBACK_URL: url }).callbackUrl, url);
  });
});
