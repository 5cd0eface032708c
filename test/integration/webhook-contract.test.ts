import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { parseXmlElement } from '../../src/xmpp/codec/index.ts';
import type { TestGateway } from '../support/gateway.ts';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/postgres.ts';
import { rest } from '../support/rest-client.ts';
import { startXmppServer, traits, type XmppServer } from '../support/xmpp-server.ts';
import { startReceiver, type Answer, type Receiver, type ReceivedRequest } from '../support/receiver.ts';
import { BOT, routeCases, runCase, stanzaFor, uniqueId, finalDelivery, type Kind } from '../support/webhook-cases.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * Every row of the webhook table of docs/webhooks.md, for message, presence and iq, from a real XMPP
 * client through a real Prosody and the gateway to a real local receiver, with the delivery
 * log in a real Postgres database of this file's own.
 */
const SECRETS = [
  'whsec_' + Buffer.from('first-secret-0123456789').toString('base64'),
  'whsec_' + Buffer.from('second-secret-0123456789').toString('base64'),
];
let prosody: XmppServer;
let database: TestDatabase;
let receiver: Receiver;
let gateway: TestGateway;
let alice: XmppUser;

const originalId = (request: ReceivedRequest) => /^<\w+[^>]* id='([^']*)'/.exec(request.body)?.[1] ?? '';
const xmpp = (body: string): Answer => ({ status: 200, headers: { 'Content-Type': 'application/xmpp+xml' }, body });
const replies: Record<Kind, (request: ReceivedRequest) => string> = {
  message: (r) =>
    `<message to='mallory@elsewhere' from='evil@elsewhere' type='chat'><body>re:${originalId(r)}</body></message>`,
  presence: (r) => `<presence to='mallory@elsewhere' id='${originalId(r)}'><status>re</status></presence>`,
  iq: () => `<iq type='result' id='not-the-request-id'><query xmlns='urn:example:case'>pong</query></iq>`,
};
const kindOf = (request: ReceivedRequest) => /^<(\w+)/.exec(request.body)?.[1] as Kind;

const cases: Record<string, Answer | ((request: ReceivedRequest) => Answer)> = {
  '202': { status: 202 },
  '204': { status: 204 },
  '200-empty': { status: 200 },
  '201-empty': { status: 201, body: '  ' },
  '202-with-body': { status: 202, headers: { 'Content-Type': 'text/plain' }, body: 'queued' },
  reply: (r) => xmpp(replies[kindOf(r)](r)),
  'reply-with-id': (r) => xmpp(`<message id='given-id' type='chat'><body>re:${originalId(r)}</body></message>`),
  'reply-error': (r) =>
    xmpp(
      `<${kindOf(r)} type='error' id='${originalId(r)}'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></${kindOf(r)}>`,
    ),
  garbage: xmpp('<message><body>unclosed'),
  'other-kind': xmpp(`<presence/>`),
  'wrong-type': { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<p>hello</p>' },
  'iq-get-as-reply': xmpp(`<iq type='get'><query xmlns='urn:example:case'/></iq>`),
  reset: 'reset',
  hang: 'hang',
  'long-body': { status: 202, body: 'x'.repeat(1000) },
};
const statuses: [number, string, string][] = [
  [400, 'modify', 'bad-request'],
  [401, 'auth', 'not-authorized'],
  [403, 'auth', 'forbidden'],
  [404, 'cancel', 'item-not-found'],
  [405, 'cancel', 'not-allowed'],
  [409, 'cancel', 'conflict'],
  [413, 'modify', 'resource-constraint'],
  [429, 'wait', 'resource-constraint'],
  [500, 'wait', 'internal-server-error'],
  [501, 'cancel', 'feature-not-implemented'],
  [502, 'wait', 'remote-server-timeout'],
  [503, 'cancel', 'service-unavailable'],
  [504, 'wait', 'remote-server-timeout'],
  [418, 'cancel', 'undefined-condition'],
  [507, 'cancel', 'undefined-condition'],
];
for (const [status] of statuses) cases[`status-${status}`] = { status };

before(async () => {
  [prosody, database, receiver] = await Promise.all([
    startXmppServer({ users: { alice: 'alice-pw' } }),
    createTestDatabase(),
    startReceiver(),
  ]);
  receiver.handle(routeCases(cases, { status: 404 }));
  gateway = await startWebhookGateway(prosody, receiver.url, database.url, {
    WEBHOOK_SECRET: SECRETS.join(' '),
    WEBHOOK_RESPONSE_EXCERPT_BYTES: '64',
    WEBHOOK_RETRY_MAX_ATTEMPTS: '2',
  });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
});

after(async () => {
  await alice?.stop();
  await gateway?.stop();
  await receiver?.close();
  await prosody?.dispose();
  await database?.drop();
});

const kinds: Kind[] = ['message', 'presence', 'iq'];

describe('the POST', () => {
  it('carries the stanza as received, in jabber:client form, with Content-Type and Content-Language', async () => {
    const id = uniqueId('headers');
    const outcome = finalDelivery(gateway, id);
    await alice.sendXml(stanzaFor('message', '202', id, " xml:lang='de'"));
    await outcome;
    const request = await receiver.waitFor((r) => r.body.includes(`id='${id}'`));
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['content-type'], 'application/xmpp+xml');
    assert.equal(request.headers['content-language'], 'de');
    const element = parseXmlElement(request.body, { maxBytes: 1e6 });
    assert.equal(element.name, 'message');
    assert.equal(element.attrs.xmlns, undefined);
    assert.equal(element.attrs.from, 'alice@localhost/phone');
    assert.equal(element.attrs.to, BOT);
    assert.equal(element.getChildText('body'), 'case:202');
  });

  // Node refuses such header values (ERR_INVALID_CHAR): the delivery must not depend on them.
  const oddLanguages: [Kind, string, string][] = [
    ['message', "xml:lang='日本'", '日本'],
    ['iq', "xml:lang='日本'", '日本'],
    ['iq', "xml:lang='en&#10;x'", 'en\nx'],
    ['presence', "xml:lang='de&#9;'", 'de\t'],
  ];
  for (const [kind, attr, lang] of oddLanguages) {
    if (!traits.passesInvalidLang) {
      it(`${kind} with ${attr}: the server refuses it (bad-request); nothing reaches the gateway`, async () => {
        const id = uniqueId('lang');
        await alice.sendXml(stanzaFor(kind, '202', id, ` ${attr}`));
        const bounce = await alice.waitFor((stanza) => stanza.attrs.id === id);
        assert.equal(bounce.attrs.type, 'error');
        assert.ok(bounce.getChild('error')?.getChild('bad-request'), bounce.toString());
        // A marker from the same sender: POSTed in order, so the refused one would have come first.
        const marker = uniqueId('marker');
        await alice.sendXml(stanzaFor('message', '202', marker));
        await receiver.waitFor((r) => r.body.includes(`id='${marker}'`));
        assert.equal(receiver.requests.filter((r) => r.body.includes(`id='${id}'`)).length, 0);
      });
      continue;
    }
    it(`${kind} with ${attr}: delivered as usual, without Content-Language`, async () => {
      const { id, delivery, reply } = await runCase(gateway, alice, kind, '202', { attrs: ` ${attr}` });
      assert.equal(delivery.status, 'delivered');
      assert.equal(delivery.lang, lang, 'xml:lang is kept as sent');
      const request = await receiver.waitFor((r) => r.body.includes(`id='${id}'`));
      assert.equal(request.headers['content-language'], undefined);
      if (kind === 'iq') {
        assert.equal(reply?.attrs.type, 'result', 'the iq gets its one reply');
        assert.equal(alice.received.filter((stanza) => stanza.attrs.id === id).length, 1);
      }
      assert.equal(gateway.app.webhooks!.status().deliveries.active, 0, 'nothing left holding a slot');
    });
  }

  it('is signed with Standard Webhooks headers, one signature per secret, verifiable independently', async () => {
    const id = uniqueId('signed');
    const outcome = finalDelivery(gateway, id);
    await alice.sendXml(stanzaFor('message', '202', id));
    const delivery = await outcome;
    const request = await receiver.waitFor((r) => r.body.includes(`id='${id}'`));
    assert.equal(request.headers['webhook-id'], delivery.id);
    assert.ok(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000) < 60);
    assert.equal(String(request.headers['webhook-signature']).split(' ').length, 2);
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    // The standardwebhooks package (the reference implementation) signs the same content with
    // each secret; its verify() would also JSON.parse the payload, which is XML here.
    const signatures = headers['webhook-signature'].split(' ');
    const at = new Date(Number(headers['webhook-timestamp']) * 1000);
    for (const secret of SECRETS)
      assert.ok(signatures.includes(new Webhook(secret).sign(headers['webhook-id'], at, request.body)));
    const other = 'whsec_' + Buffer.from('some-other-secret-0123').toString('base64');
    assert.ok(!signatures.includes(new Webhook(other).sign(headers['webhook-id'], at, request.body)));
    assert.ok(
      !signatures.includes(
        new Webhook(SECRETS[0]!).sign(headers['webhook-id'], at, request.body.replace('case:', 'kase:')),
      ),
    );
    // And verify() gets past the signature check (it fails only at the JSON step).
    assert.throws(() => new Webhook(SECRETS[1]!).verify(request.body, headers), SyntaxError);
    assert.throws(() => new Webhook(other).verify(request.body, headers), /No matching signature/);
  });
});

for (const kind of kinds) {
  describe(`${kind}: callback answers`, () => {
    for (const name of ['202', '204', '200-empty', '201-empty', '202-with-body']) {
      it(`${name}: ${kind === 'iq' ? 'an empty result' : 'nothing'} for the sender`, async () => {
        const { id, delivery, reply } = await runCase(gateway, alice, kind, name);
        assert.equal(delivery.status, 'delivered');
        assert.equal(delivery.outcome, 'accepted');
        if (kind === 'iq') {
          assert.equal(reply?.attrs.type, 'result');
          assert.equal(reply?.attrs.id, id);
          assert.equal(reply?.getChildElements().length, 0);
        } else {
          assert.equal(reply, undefined);
        }
      });
    }

    it('2xx with a stanza of the same kind: that stanza, to the sender, from the recipient', async () => {
      const { id, delivery, reply } = await runCase(gateway, alice, kind, 'reply');
      assert.equal(delivery.outcome, 'replied');
      assert.ok(reply, 'a reply arrived');
      assert.equal(reply.attrs.to, 'alice@localhost/phone');
      assert.equal(reply.attrs.from, BOT);
      if (kind === 'iq') {
        assert.equal(reply.attrs.id, id, 'an iq reply carries the request id (RFC 6120 §8.2.3)');
        assert.equal(reply.getChildText('query', 'urn:example:case'), 'pong');
      }
      if (kind === 'message') {
        assert.equal(reply.getChildText('body'), `re:${id}`);
        assert.ok(reply.attrs.id && reply.attrs.id !== id, 'a new id when the callback gave none');
      }
      if (kind === 'presence') assert.equal(reply.getChildText('status'), 're');
      assert.equal(delivery.replyXml?.includes(`to='alice@localhost/phone'`), true);
    });

    it('type="error" replies pass through', async () => {
      const { id, reply } = await runCase(gateway, alice, kind, 'reply-error');
      assert.equal(reply?.attrs.type, 'error');
      assert.equal(reply?.attrs.id, id);
      assert.ok(reply?.getChild('error')?.getChild('item-not-found', 'urn:ietf:params:xml:ns:xmpp-stanzas'));
    });

    for (const name of ['garbage', kind === 'presence' ? 'reply-with-id' : 'other-kind', 'wrong-type'] as const) {
      const senderGets = kind === 'iq' ? 'internal-server-error' : 'nothing';
      it(`2xx with an invalid body (${name}): logged as failed; ${senderGets} for the sender`, async () => {
        const { delivery, reply } = await runCase(gateway, alice, kind, name);
        assert.equal(delivery.status, 'failed');
        assert.equal(delivery.outcome, 'invalid-response');
        if (kind === 'iq') {
          assert.equal(reply?.attrs.type, 'error');
          assert.equal(reply?.getChild('error')?.attrs.type, 'wait');
          assert.ok(reply?.getChild('error')?.getChild('internal-server-error'));
        } else {
          assert.equal(reply, undefined);
        }
        const [attempt] = await queryDatabase<{ errorKind: string; errorText: string }>(
          database.url,
          'SELECT "errorKind", "errorText" FROM "DeliveryAttempt" WHERE "deliveryId" = $1',
          [delivery.id],
        );
        assert.equal(attempt?.errorKind, 'invalid-response');
        assert.match(attempt?.errorText ?? '', /^invalid callback response/);
      });
    }

    for (const [status, type, condition] of statuses) {
      it(`${status}: ${type}/${condition}, text "${status} …"`, async () => {
        const { id, delivery, reply } = await runCase(gateway, alice, kind, `status-${status}`);
        assert.equal(delivery.status, 'failed');
        assert.equal(delivery.outcome, 'http-error');
        const retried = status === 429 || status >= 500;
        assert.equal(delivery.attemptCount, retried && kind !== 'iq' ? 2 : 1);
        assert.equal(reply?.attrs.type, 'error');
        assert.equal(reply?.attrs.id, id);
        const error = reply?.getChild('error');
        assert.equal(error?.attrs.type, type);
        assert.ok(error?.getChild(condition, 'urn:ietf:params:xml:ns:xmpp-stanzas'), reply?.toString());
        assert.match(
          error?.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-stanzas') ?? '',
          new RegExp(`^${status} \\S`),
        );
      });
    }

    for (const name of ['reset', 'hang']) {
      const failure = name === 'reset' ? 'connection reset' : 'no answer within the timeout';
      it(`${failure}: wait/recipient-unavailable`, async () => {
        const { delivery, reply } = await runCase(gateway, alice, kind, name, { quietMs: 1000 });
        assert.equal(delivery.outcome, 'unreachable');
        assert.equal(delivery.attemptCount, kind === 'iq' ? 1 : 2);
        assert.equal(reply?.getChild('error')?.attrs.type, 'wait');
        assert.ok(reply?.getChild('error')?.getChild('recipient-unavailable'));
      });
    }
  });
}

describe('never a reply to a result or an error', () => {
  const inbound: [string, (id: string) => string][] = [
    [
      'iq result',
      (id) => `<iq type='result' to='${BOT}' id='${id}'><query xmlns='urn:example:case'>case:status-500</query></iq>`,
    ],
    [
      'iq error',
      (id) =>
        `<iq type='error' to='${BOT}' id='${id}'><query xmlns='urn:example:case'>case:reply-error</query><error type='cancel'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`,
    ],
    [
      'message error',
      (id) =>
        `<message type='error' to='${BOT}' id='${id}'><body>case:reply</body><error type='cancel'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`,
    ],
    [
      'presence error',
      (id) =>
        `<presence type='error' to='${BOT}' id='${id}'><status>case:hang</status><error type='cancel'><bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>`,
    ],
  ];
  for (const [name, build] of inbound) {
    it(`${name}: POSTed, nothing sent back whatever the callback says`, async () => {
      const id = uniqueId('noreply');
      const outcome = finalDelivery(gateway, id);
      await alice.sendXml(build(id));
      const delivery = await outcome;
      await receiver.waitFor((r) => r.body.includes(`id='${id}'`));
      assert.equal(delivery.replyXml, null);
      await alice.expectNone((stanza) => stanza.attrs.id === id, 300);
    });
  }
});

describe('the log', () => {
  it('has a row per delivery and per attempt, with the response excerpt cut at the configured size', async () => {
    const { delivery } = await runCase(gateway, alice, 'message', 'long-body');
    const [row] = await queryDatabase<{ status: string; kind: string; senderBare: string; attemptCount: number }>(
      database.url,
      'SELECT status, kind, "senderBare", "attemptCount" FROM "Delivery" WHERE id = $1',
      [delivery.id],
    );
    assert.deepEqual(row, { status: 'delivered', kind: 'message', senderBare: 'alice@localhost', attemptCount: 1 });
    const [attempt] = await queryDatabase<{
      httpStatus: number;
      responseExcerpt: string;
      responseTruncated: boolean;
      responseHeaders: Record<string, string>;
      durationMs: number;
    }>(
      database.url,
      'SELECT "httpStatus", "responseExcerpt", "responseTruncated", "responseHeaders", "durationMs" ' +
        'FROM "DeliveryAttempt" WHERE "deliveryId" = $1',
      [delivery.id],
    );
    assert.equal(attempt?.httpStatus, 202);
    assert.equal(attempt?.responseExcerpt, 'x'.repeat(64));
    assert.equal(attempt?.responseTruncated, true);
    assert.equal(typeof attempt?.responseHeaders.date, 'string');
    assert.ok((attempt?.durationMs ?? -1) >= 0);
  });

  it('retried attempts are each logged; the error goes to the sender once', async () => {
    const { id, delivery } = await runCase(gateway, alice, 'message', 'status-503');
    const attempts = await queryDatabase<{ number: number; httpStatus: number; errorKind: string }>(
      database.url,
      'SELECT number, "httpStatus", "errorKind" FROM "DeliveryAttempt" WHERE "deliveryId" = $1 ORDER BY number',
      [delivery.id],
    );
    assert.deepEqual(attempts, [
      { number: 1, httpStatus: 503, errorKind: 'http' },
      { number: 2, httpStatus: 503, errorKind: 'http' },
    ]);
    await alice.waitFor((stanza) => stanza.attrs.id === id);
    // A marker from the gateway to alice after the error: a second error would arrive before it.
    const marker = uniqueId('marker');
    assert.equal((await rest(gateway, { body: `<message to='${alice.jid}' id='${marker}'/>` })).status, 202);
    await alice.waitFor((stanza) => stanza.attrs.id === marker);
    assert.equal(alice.received.filter((stanza) => stanza.attrs.id === id).length, 1);
  });
});

it('connection refused: retried, then wait/recipient-unavailable', async () => {
  await receiver.unlisten();
  try {
    const { delivery, reply } = await runCase(gateway, alice, 'message', '202', { quietMs: 1000 });
    assert.equal(delivery.outcome, 'unreachable');
    assert.equal(delivery.attemptCount, 2);
    assert.ok(reply?.getChild('error')?.getChild('recipient-unavailable'));
    const [attempt] = await queryDatabase<{ errorKind: string; errorText: string }>(
      database.url,
      'SELECT "errorKind", "errorText" FROM "DeliveryAttempt" WHERE "deliveryId" = $1 AND number = 1',
      [delivery.id],
    );
    assert.equal(attempt?.errorKind, 'connect');
    assert.match(attempt?.errorText ?? '', /ECONNREFUSED/);
  } finally {
    await receiver.listen();
  }
});
