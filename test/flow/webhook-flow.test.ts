import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, it } from 'node:test';
import { migratedDataDir } from '../support/embedded-template.ts';
import { type FakeLink, startFakeLink } from '../support/fake-link.ts';
import type { TestGateway } from '../support/gateway.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { finalDelivery, routeCases, stanzaFor, uniqueId, BOT } from '../support/webhook-cases.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';

/**
 * The webhook flow in-process, against the fake link instead of Prosody: an inbound stanza is
 * POSTed to a local callback (node:http), the callback's answer becomes the stanza the gateway
 * writes back, and the delivery is logged in the embedded database (PGlite, in a temp
 * directory holding a copy of an already migrated one: embedded-template.ts).
 * webhook-contract.test.ts checks every row of the table against a real Prosody and Postgres.
 */
const DOMAIN = 'rest.localhost';
const ALICE = 'alice@localhost/phone';
let link: FakeLink;
let receiver: Receiver;
let gateway: TestGateway;
let dataDir: string;

const xmpp = (body: string) => ({ status: 200, headers: { 'Content-Type': 'application/xmpp+xml' }, body });
const requestId = (body: string) => /^<\w+[^>]* id='([^']*)'/.exec(body)?.[1] ?? '';

before(async () => {
  // One at a time, so that `after` stops whatever started if a later one fails.
  dataDir = await migratedDataDir();
  link = await startFakeLink(DOMAIN);
  receiver = await startReceiver();
  receiver.handle(
    routeCases({
      reply: (request) => xmpp(`<message type='chat'><body>re:${requestId(request.body)}</body></message>`),
      'iq-reply': () => xmpp(`<iq type='result'><query xmlns='urn:example:case'>pong</query></iq>`),
      'not-found': { status: 404 },
    }),
  );
  gateway = await startWebhookGateway(link, receiver.url, undefined, { DATA_DIR: dataDir });
});

after(async () => {
  await gateway?.stop();
  await receiver?.close();
  await link?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The stanza as Prosody routes it from alice's client to the component. */
function deliverFromAlice(xml: string): void {
  link.deliver(xml.replace(/^<(\w+) /, `<$1 from='${ALICE}' `));
}

it('a message: POSTed as received; the message the callback answers is written to the sender', async () => {
  const id = uniqueId('reply');
  const outcome = finalDelivery(gateway, id);
  deliverFromAlice(stanzaFor('message', 'reply', id));
  const request = await receiver.waitFor((r) => r.body.includes(`id='${id}'`), 2000);
  assert.equal(request.method, 'POST');
  assert.equal(request.headers['content-type'], 'application/xmpp+xml');
  assert.equal(
    request.body,
    `<message from='${ALICE}' to='${BOT}' id='${id}' type='chat'><body>case:reply</body></message>`,
  );
  const written = await link.nextWritten((stanza) => stanza.getChildText('body') === `re:${id}`);
  const replyId = written.attrs.id ?? '';
  assert.match(replyId, /^[0-9a-f-]{36}$/, 'a new id when the callback gave none');
  assert.equal(
    written.toString(),
    `<message from="${BOT}" to="${ALICE}" id="${replyId}" type="chat"><body>re:${id}</body></message>`,
  );
  const delivery = await outcome;
  assert.equal(delivery.status, 'delivered');
  assert.equal(delivery.outcome, 'replied');
  assert.equal(delivery.attemptCount, 1);
  const logged = await gateway.app.webhooks!.log.get(delivery.id);
  assert.equal(logged?.status, 'delivered');
  assert.equal(logged?.attempts[0]?.httpStatus, 200);
});

it("an iq: the callback's result is written to the sender with the request's id", async () => {
  const id = uniqueId('iq');
  const outcome = finalDelivery(gateway, id);
  deliverFromAlice(stanzaFor('iq', 'iq-reply', id));
  const written = await link.nextWritten((stanza) => stanza.name === 'iq' && stanza.attrs.id === id);
  assert.equal(
    written.toString(),
    `<iq from="${BOT}" to="${ALICE}" id="${id}" type="result"><query xmlns="urn:example:case">pong</query></iq>`,
  );
  assert.equal((await outcome).outcome, 'replied');
});

it('an iq the callback answers 404: the sender gets cancel/item-not-found', async () => {
  const id = uniqueId('iq');
  const outcome = finalDelivery(gateway, id);
  deliverFromAlice(stanzaFor('iq', 'not-found', id));
  const written = await link.nextWritten((stanza) => stanza.name === 'iq' && stanza.attrs.id === id);
  assert.equal(written.attrs.type, 'error');
  assert.equal(written.attrs.to, ALICE);
  const error = written.getChild('error');
  assert.equal(error?.attrs.type, 'cancel');
  assert.ok(error?.getChild('item-not-found', 'urn:ietf:params:xml:ns:xmpp-stanzas'), written.toString());
  assert.equal((await outcome).status, 'failed');
});
