import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DiscoInfoDocument,
  PingDocument,
  SendMessageDocument,
  SendPresenceDocument,
  SendStanzaDocument,
} from '../generated/graphql.ts';
import type { TestGateway } from '../support/gateway.ts';
import { graphqlData, graphqlHttp } from '../support/graphql-client.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { startReceiver, type Answer, type Receiver } from '../support/receiver.ts';
import { rest } from '../support/rest-client.ts';
import { BOT, finalDelivery, uniqueId } from '../support/webhook-cases.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';

/**
 * What the gateway writes must never make the XMPP server close the component stream: XmppServer
 * answers a character outside XML 1.0 or a stanza past its size limit with a stream error, and
 * every caller's iqs and queued sends go with the stream. Each poison, on each path that builds a
 * stanza (/rest, typed GraphQL fields, JIDs, raw XML, payloads, webhook replies), is refused with
 * its documented 4xx or typed error — and the link is never reconnected.
 */
let prosody: XmppServer;
let database: TestDatabase;
let receiver: Receiver;
let gateway: TestGateway;

/** Replies the receiver gives, by the marker in the inbound stanza's body or id. */
const replies = new Map<string, Answer>();
const xmpp = (body: string): Answer => ({ status: 200, headers: { 'Content-Type': 'application/xmpp+xml' }, body });

before(async () => {
  prosody = await startXmppServer({});
  database = await createTestDatabase();
  receiver = await startReceiver((request) => {
    for (const [marker, answer] of replies) if (request.body.includes(marker)) return answer;
    return { status: 202 };
  });
  gateway = await startWebhookGateway(prosody, receiver.url, database.url);
});

after(async () => {
  await gateway?.stop();
  await receiver?.close();
  await database?.drop();
  await prosody?.dispose();
});

/**
 * A round trip through Prosody after the poison (so that it has read everything sent before),
 * then the link's counters: one connection, never a reconnect.
 */
async function assertLinkIntact(): Promise<void> {
  const ping = await rest(gateway, { body: "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>" });
  assert.equal(ping.status, 200, `ping after the poison: ${ping.status} ${ping.body}`);
  const { link } = gateway.app.core.status();
  assert.equal(link.state, 'online');
  assert.equal(link.reconnects, 0, `Prosody closed the component stream (${link.lastError})`);
  assert.equal(link.connects, 1);
}

const POISON_CHARS = {
  'U+0001': '\u0001',
  'U+001F': '\u001f',
  'U+FFFE': '\ufffe',
  'U+FFFF': '\uffff',
  'U+D800': '\ud800',
};

describe('/rest', () => {
  it('refuses an XML 1.1 declaration (which would let &#x1; through) with 400', async () => {
    for (const body of [
      "<?xml version='1.1'?><message to='localhost'><body>a&#x1;b</body></message>",
      "<?xml version='1.1'?><message to='localhost'><body>plain</body></message>",
      "<message to='localhost'><body>a&#xFFFE;b</body></message>",
    ]) {
      const response = await rest(gateway, { body, headers: { Accept: 'application/json' } });
      assert.equal(response.status, 400, body);
      assert.equal((JSON.parse(response.body) as { error: { condition: string } }).error.condition, 'not-well-formed');
    }
    await assertLinkIntact();
  });

  it('counts the serialised size: escape growth past XMPP_MAX_STANZA_BYTES is 413, before anything is written', async () => {
    const outBefore = gateway.app.core.status().counters.out.message;
    // 90 KB of `'` in an attribute: 540 KB once written as &apos; — past Prosody's 512 KiB.
    const apostrophes = `<message to='localhost'><x xmlns='urn:x' a="${"'".repeat(90_000)}"/></message>`;
    const greater = `<message to='localhost'><body>${'>'.repeat(90_000)}</body></message>`;
    for (const body of [apostrophes, greater]) {
      assert.ok(body.length < 192 * 1024, 'within REST_MAX_BODY_BYTES');
      const response = await rest(gateway, { body, headers: { Accept: 'application/json' } });
      assert.equal(response.status, 413);
      const error = (JSON.parse(response.body) as { error: { type: string; condition: string; text: string } }).error;
      assert.deepEqual([error.type, error.condition], ['modify', 'policy-violation']);
      assert.match(error.text, /XMPP_MAX_STANZA_BYTES/);
    }
    assert.equal(gateway.app.core.status().counters.out.message, outBefore, 'nothing was sent');
    // Under the limit once serialised (40,000 × 6 bytes), the same shape goes out.
    const fits = `<message to='localhost'><x xmlns='urn:x' a="${"'".repeat(40_000)}"/></message>`;
    // Prosody answers a message to its own domain with service-unavailable: that bounce, the
    // answer to the send, proves the stanza went out and was processed.
    const sent = await rest(gateway, { body: fits });
    assert.equal(sent.status, 200);
    assert.match(sent.body, /^<message [^>]*type='error'[^>]*>.*<service-unavailable /s);
    await assertLinkIntact();
  });
});

describe('GraphQL', () => {
  it('refuses characters outside XML 1.0 in every typed string, naming the field', async () => {
    for (const [name, char] of Object.entries(POISON_CHARS)) {
      for (const field of ['body', 'subject', 'thread', 'id', 'lang'] as const) {
        const { sendMessage } = await graphqlData(gateway, SendMessageDocument, {
          input: { to: 'localhost', body: 'ok', [field]: `a${char}b` },
        });
        assert.equal(sendMessage.__typename, 'InvalidInput', `${name} in ${field}`);
        assert.ok(sendMessage.__typename === 'InvalidInput');
        assert.equal(sendMessage.kind, 'INVALID_CHARACTER');
        assert.equal(sendMessage.field, field);
        assert.equal(sendMessage.condition, 'not-acceptable');
      }
      const { sendPresence } = await graphqlData(gateway, SendPresenceDocument, {
        input: { to: 'localhost', status: `a${char}b` },
      });
      assert.ok(sendPresence.__typename === 'InvalidInput', `${name} in status`);
      assert.equal(sendPresence.field, 'status');
      const { discoInfo } = await graphqlData(gateway, DiscoInfoDocument, { to: 'localhost', node: `n${char}` });
      assert.ok(discoInfo.__typename === 'InvalidInput', `${name} in node`);
      assert.equal(discoInfo.field, 'node');
    }
    await assertLinkIntact();
  });

  it('refuses JIDs with U+FFFE, U+FFFF or an unpaired surrogate as invalid input', async () => {
    for (const to of ['alice@localhost/r\uffff', 'a\ufffe@localhost', 'alice@localhost/\ud800']) {
      const message = await graphqlHttp(gateway, SendMessageDocument, { input: { to, body: 'x' } });
      assert.equal(message.body.data, undefined, to);
      assert.equal(message.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
      const ping = await graphqlHttp(gateway, PingDocument, { to });
      assert.equal(ping.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    }
    await assertLinkIntact();
  });

  it('refuses XML 1.1 in sendStanza and in payloads', async () => {
    const { sendStanza } = await graphqlData(gateway, SendStanzaDocument, {
      xml: "<?xml version='1.1'?><message to='localhost'><body>&#x1;</body></message>",
    });
    assert.ok(sendStanza.__typename === 'InvalidInput');
    assert.deepEqual([sendStanza.kind, sendStanza.field], ['NOT_WELL_FORMED', 'xml']);
    const { sendMessage } = await graphqlData(gateway, SendMessageDocument, {
      input: { to: 'localhost', payloads: ["<?xml version='1.1'?><x xmlns='urn:x'>&#x1;</x>"] },
    });
    assert.ok(sendMessage.__typename === 'InvalidInput');
    assert.deepEqual([sendMessage.kind, sendMessage.field], ['NOT_WELL_FORMED', 'payloads.0']);
    await assertLinkIntact();
  });

  it('counts the serialised size of typed fields', async () => {
    const { sendMessage } = await graphqlData(gateway, SendMessageDocument, {
      input: { to: 'localhost', body: '<'.repeat(70_000) },
    });
    assert.ok(sendMessage.__typename === 'InvalidInput');
    assert.equal(sendMessage.kind, 'STANZA_TOO_LARGE');
    await assertLinkIntact();
  });
});

describe('webhook replies', () => {
  async function deliver(kind: 'message' | 'iq', answer: Answer) {
    const marker = uniqueId('poison');
    replies.set(marker, answer);
    const outcome = finalDelivery(gateway, marker);
    // From the component's own domain to its bot: XmppServer routes it back to the callback.
    const body =
      kind === 'message'
        ? `<message to='${BOT}' id='${marker}' type='chat'><body>${marker}</body></message>`
        : `<iq to='${BOT}' id='${marker}' type='get'><query xmlns='urn:example:poison'/></iq>`;
    const response = await rest(gateway, { body });
    return { response, delivery: await outcome };
  }

  const poisonReplies = {
    'XML 1.1 with &#x1;': (kind: string) =>
      kind === 'iq'
        ? "<?xml version='1.1'?><iq type='result'><query xmlns='urn:example:poison'>&#x1;</query></iq>"
        : "<?xml version='1.1'?><message type='chat'><body>&#x1;</body></message>",
    'escape growth past the limit': (kind: string) =>
      kind === 'iq'
        ? `<iq type='result'><query xmlns='urn:example:poison'>${'>'.repeat(90_000)}</query></iq>`
        : `<message type='chat'><body>${'>'.repeat(90_000)}</body></message>`,
  };

  for (const [name, reply] of Object.entries(poisonReplies)) {
    it(`a message answered with ${name}: invalid response, nothing sent`, async () => {
      const { response, delivery } = await deliver('message', xmpp(reply('message')));
      assert.equal(response.status, 202);
      assert.equal(delivery.outcome, 'invalid-response');
      assert.equal(delivery.replyXml, null);
      await assertLinkIntact();
    });

    it(`an iq answered with ${name}: the sender gets internal-server-error`, async () => {
      const { response, delivery } = await deliver('iq', xmpp(reply('iq')));
      assert.equal(delivery.outcome, 'invalid-response');
      assert.equal(response.status, 200);
      assert.match(response.body, /type='error'/);
      assert.match(response.body, /<internal-server-error /);
      await assertLinkIntact();
    });
  }
});
