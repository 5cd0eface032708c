import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { TestGateway } from '../support/gateway.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { startReceiver, type Answer, type Receiver, type ReceivedRequest } from '../support/receiver.ts';
import { rest } from '../support/rest-client.ts';
import { BOT, uniqueId } from '../support/webhook-cases.ts';
import { startWebhookGateway } from '../support/webhook-gateway.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * No webhook loops: a stanza the gateway sends on a callback's behalf never triggers another
 * callback. The receiver here answers everything, as a naive echo bot does; a message from the
 * component's own domain to its bot used to come back to the callback without end (213 callbacks
 * in 10 s).
 */
let prosody: XmppServer;
let database: TestDatabase;
let receiver: Receiver;
let gateway: TestGateway;
let alice: XmppUser;

const XMPP = { 'Content-Type': 'application/xmpp+xml' };
const kindOf = (request: ReceivedRequest) => /^<(\w+)/.exec(request.body)?.[1];

/** Answers every stanza with one of its kind: an echo for messages and presences, a result for iqs. */
const echo = (request: ReceivedRequest): Answer => {
  const kind = kindOf(request);
  if (kind === 'iq') return { status: 200, headers: XMPP, body: "<iq type='result'/>" };
  if (kind === 'presence') return { status: 200, headers: XMPP, body: '<presence><status>echo</status></presence>' };
  const body = /<body>([^<]*)<\/body>/.exec(request.body)?.[1] ?? '';
  return { status: 200, headers: XMPP, body: `<message type='chat'><body>echo: ${body}</body></message>` };
};

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  database = await createTestDatabase();
  receiver = await startReceiver(echo);
  gateway = await startWebhookGateway(prosody, receiver.url, database.url);
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
});

after(async () => {
  await alice?.stop();
  await gateway?.stop();
  await receiver?.close();
  await database?.drop();
  await prosody?.dispose();
});

beforeEach(() => {
  receiver.handle(echo);
  receiver.requests.length = 0;
});

/** Callbacks whose body carries the marker, after the traffic has had time to loop. */
async function callbacksAfter(marker: string, quietMs = 1500): Promise<ReceivedRequest[]> {
  await sleep(quietMs);
  return receiver.matching((request) => request.body.includes(marker));
}

describe('no webhook loops', () => {
  for (const from of [undefined, 'alerts@rest.localhost', 'rest.localhost/cron']) {
    it(`a message from ${from ?? 'the component domain'} to its bot is posted once`, async () => {
      const marker = uniqueId('loop');
      const attr = from === undefined ? '' : ` from='${from}'`;
      const response = await rest(gateway, {
        body: `<message to='${BOT}'${attr} type='chat'><body>${marker}</body></message>`,
      });
      assert.equal(response.status, 202);
      const posts = await callbacksAfter(marker);
      assert.equal(posts.length, 1, posts.map((post) => post.body).join('\n'));
    });
  }

  it('a presence from the component domain to its bot is posted once', async () => {
    const marker = uniqueId('loop');
    await rest(gateway, { body: `<presence to='${BOT}' id='${marker}'/>` });
    await sleep(1500);
    // The echo's presence carries no marker: count every presence posted meanwhile.
    const posts = receiver.matching((request) => kindOf(request) === 'presence');
    assert.equal(posts.length, 1, posts.map((post) => post.body).join('\n'));
  });

  it('the stanza error of a failing receiver does not come back to it either', async () => {
    receiver.handle(() => ({ status: 404 }));
    const marker = uniqueId('loop');
    await rest(gateway, { body: `<message to='${BOT}' id='${marker}' type='chat'><body>${marker}</body></message>` });
    const posts = await callbacksAfter(marker);
    // One attempt (404 is final); the error sent to rest.localhost is not posted.
    assert.equal(posts.length, 1, posts.map((post) => post.body).join('\n'));
  });

  it('an iq from the component domain to its bot is answered, and posted once', async () => {
    const marker = uniqueId('loop');
    const response = await rest(gateway, {
      body: `<iq to='${BOT}' id='${marker}' type='get'><query xmlns='urn:example:loop'/></iq>`,
    });
    assert.equal(response.status, 200);
    assert.match(response.body, /type='result'/);
    assert.equal((await callbacksAfter(marker, 500)).length, 1);
  });

  it('replies to users still go out', async () => {
    const marker = uniqueId('user');
    const reply = alice.waitFor((stanza) => stanza.getChildText('body') === `echo: ${marker}`, 5000);
    await alice.sendXml(`<message to='${BOT}' type='chat'><body>${marker}</body></message>`);
    assert.equal((await reply).attrs.from, BOT);
    assert.equal((await callbacksAfter(marker, 300)).length, 1);
  });
});
