import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { parse } from 'ltx';
import type { Client } from 'graphql-ws';
import {
  ObservedStanzasDocument,
  SendStanzaDocument,
  StanzasDocument,
  type StanzasSubscription,
  StatusDocument,
} from '../generated/graphql.ts';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import type { Stanza } from '../../src/xmpp/codec/index.ts';
import { uniqueText } from '../support/markers.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { type EventStream, graphqlData, subscribeSse, subscribeWs, wsClient } from '../support/graphql-client.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { connectUser, xml, type XmppUser } from '../support/xmpp-user.ts';

/**
 * `stanzas` subscriptions over graphql-ws and SSE, their filters, and the inbound iqs left to
 * subscribers (docs/contract.md, "Exactly one reply to every inbound iq").
 */
let prosody: XmppServer;
let gateway: TestGateway;
let alice: XmppUser;
let client: Client;
const DOMAIN = 'rest.localhost';
const BOT = `bot@${DOMAIN}`;
const ANSWER_TIMEOUT_MS = 600;

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  gateway = await startGateway(prosody, { IQ_ANSWER_TIMEOUT_MS: String(ANSWER_TIMEOUT_MS) });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
  client = wsClient(gateway);
});

after(async () => {
  await client?.dispose();
  await alice?.stop();
  await gateway?.stop();
  await prosody?.dispose();
});

const stanzaOf = (event: { data?: StanzasSubscription | null }) => event.data?.stanzas;
const eventWithBody = (text: string) => (event: { data?: StanzasSubscription | null }) => {
  const stanza = stanzaOf(event);
  return stanza?.__typename === 'Message' && stanza.body === text;
};

const openSubscriptions = async () => (await graphqlData(gateway, StatusDocument, {})).status.subscriptions;

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Subscribes and waits until the gateway counts the subscription (it is then live). It ends
 * with the test, pass or fail, and the test is over only once the gateway has released it: a
 * leftover catch-all subscriber would take on the iqs of later tests.
 */
async function live<T>(t: TestContext, subscribe: () => Promise<EventStream<T>>): Promise<EventStream<T>> {
  const before = await openSubscriptions();
  const stream = await subscribe();
  await until(async () => (await openSubscriptions()) > before, 'the subscription did not start');
  let closed = false;
  // The stream's own close, kept before it is wrapped below.
  const close = stream.close.bind(stream);
  t.after(async () => {
    if (closed) return;
    const open = await openSubscriptions();
    close();
    await until(async () => (await openSubscriptions()) < open, 'the subscription was not released');
  });
  return Object.assign(stream, {
    close: () => {
      closed = true;
      close();
    },
  });
}

const sendStanza = async (xmlText: string) =>
  (await graphqlData(gateway, SendStanzaDocument, { xml: xmlText })).sendStanza;

describe('stanzas: inbound stanzas, live', () => {
  it('a message to bot@<domain> arrives on graphql-ws and on SSE with typed fields and raw XML', async (t) => {
    const ws = await live(t, () => subscribeWs(client, StanzasDocument, {}));
    const sse = await live(t, () => subscribeSse(gateway, StanzasDocument, {}));
    const text = uniqueText();
    await alice.client.send(
      xml('message', { to: BOT, type: 'chat', id: 'm-1', 'xml:lang': 'en' }, xml('body', {}, text)),
    );
    for (const stream of [ws, sse]) {
      const stanza = stanzaOf(await stream.waitFor(eventWithBody(text)));
      assert.ok(stanza?.__typename === 'Message');
      assert.equal(stanza.kind, 'MESSAGE');
      assert.equal(stanza.messageType, 'CHAT');
      assert.equal(stanza.from, alice.jid);
      assert.equal(stanza.to, BOT);
      assert.equal(stanza.id, 'm-1');
      assert.equal(stanza.lang, 'en');
      // Prosody orders attributes as it likes; the raw XML is compared as XML.
      const raw = parse(stanza.xml);
      assert.deepEqual(raw.attrs, { to: BOT, type: 'chat', id: 'm-1', 'xml:lang': 'en', from: alice.jid });
      assert.equal(stanza.xml.slice(stanza.xml.indexOf('>') + 1), `<body>${text}</body></message>`);
      assert.deepEqual(stanza.payloads, [
        { name: 'body', xmlns: 'jabber:client', attrs: {}, text, xml: `<body>${text}</body>` },
      ]);
    }
  });

  it('payload XML sent with sendStanza comes back through the XMPP server byte for byte', async (t) => {
    const stream = await live(t, () =>
      subscribeWs(client, StanzasDocument, { filter: { xmlns: ['urn:example:round'] } }),
    );
    // One attribute per element: XmppServer keeps attributes in a Lua table and writes them back in
    // an order that varies from run to run, so only single-attribute elements compare bytewise.
    const payload =
      "<r xmlns='urn:example:round'>mixed <b a='&lt;1&gt; &amp; &quot;2&quot;'>bold</b> &amp; <i xmlns='urn:example:i'>x</i> tail</r>";
    const sent = await sendStanza(`<message to='${BOT}' from='sender@${DOMAIN}'>${payload}</message>`);
    assert.equal(sent.__typename, 'SendStanzaSuccess');
    const stanza = stanzaOf(await stream.waitFor(() => true));
    assert.equal(stanza?.payloads[0]?.xml, payload);
    assert.equal(stanza?.from, `sender@${DOMAIN}`);
  });

  it('filters by kind, type, from, to and payload namespace', async (t) => {
    const filters = {
      presences: { kinds: ['PRESENCE' as const] },
      headlines: { types: ['headline'] },
      fromAlice: { from: ['alice@localhost'] },
      fromSomeoneElse: { from: ['alice@localhost/other'] },
      toBot2: { to: [`bot2@${DOMAIN}`] },
      tagged: { xmlns: ['urn:example:tag'] },
    };
    const streams = Object.fromEntries(
      await Promise.all(
        Object.entries(filters).map(
          async ([name, filter]) =>
            [name, await live(t, () => subscribeWs(client, StanzasDocument, { filter }))] as const,
        ),
      ),
    );
    const everything = await live(t, () => subscribeWs(client, StanzasDocument, {}));
    const run = uniqueText();
    const sends = [
      xml('message', { to: BOT, type: 'chat' }, xml('body', {}, `${run}-chat`)),
      xml('message', { to: BOT, type: 'headline' }, xml('body', {}, `${run}-headline`)),
      xml('message', { to: `bot2@${DOMAIN}` }, xml('body', {}, `${run}-bot2`)),
      xml('message', { to: BOT }, xml('body', {}, `${run}-tagged`), xml('tag', { xmlns: 'urn:example:tag' })),
      xml('presence', { to: BOT }, xml('status', {}, `${run}-presence`)),
    ];
    for (const stanza of sends) await alice.client.send(stanza);
    await everything.waitFor((event) => stanzaOf(event)?.__typename === 'Presence');
    // Everything was enqueued for every subscription before the catch-all saw the last stanza;
    // a short wait lets the other subscriptions' messages cross the socket.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const labels = (name: string) =>
      streams[name]!.events.map((event) => {
        const stanza = stanzaOf(event);
        return stanza?.__typename === 'Message'
          ? stanza.body?.slice(run.length + 1)
          : stanza?.__typename === 'Presence'
            ? stanza.status?.slice(run.length + 1)
            : '?';
      });
    assert.deepEqual(labels('presences'), ['presence']);
    assert.deepEqual(labels('headlines'), ['headline']);
    assert.deepEqual(labels('fromAlice'), ['chat', 'headline', 'bot2', 'tagged', 'presence']);
    assert.deepEqual(labels('fromSomeoneElse'), []);
    assert.deepEqual(labels('toBot2'), ['bot2']);
    assert.deepEqual(labels('tagged'), ['tagged']);
  });

  for (const transport of ['graphql-ws', 'SSE'] as const) {
    it(`a ${transport} subscription that ends leaves nothing behind`, async (t) => {
      const before = await openSubscriptions();
      const stream = await live(t, () =>
        transport === 'SSE' ? subscribeSse(gateway, StanzasDocument, {}) : subscribeWs(client, StanzasDocument, {}),
      );
      stream.close();
      await until(async () => (await openSubscriptions()) === before, 'the subscription was not released');
    });
  }
});

describe('inbound iqs left to subscribers', () => {
  const askBot = (ns: string, timeoutMs = 5000) =>
    alice.client.iqCaller.request(xml('iq', { type: 'get', to: BOT }, xml('query', { xmlns: ns })), timeoutMs);

  it('the first reply sent through the API answers the iq; a second one is refused', async (t) => {
    const ns = `urn:example:${uniqueText()}`;
    const stream = await live(t, () =>
      subscribeWs(client, StanzasDocument, { filter: { xmlns: [ns], kinds: ['IQ'] } }),
    );
    const answer = askBot(ns);
    const request = stanzaOf(await stream.waitFor(() => true));
    assert.ok(request?.__typename === 'Iq');
    assert.equal(request.iqType, 'GET');
    const reply = `<iq type='result' to='${request.from}' id='${request.id}'><query xmlns='${ns}'><answer>42</answer></query></iq>`;
    const first = await sendStanza(reply);
    assert.equal(first.__typename, 'SendStanzaSuccess');
    const received = await answer;
    assert.equal(received.getChild('query', ns)?.getChildText('answer'), '42');
    const second = await sendStanza(reply);
    assert.ok(second.__typename === 'Refused');
    assert.equal(second.kind, 'NO_PENDING_IQ');
  });

  it('a reply whose send fails leaves the iq pending: the retry answers it, exactly once', async (t) => {
    const ns = `urn:example:${uniqueText()}`;
    const stream = await live(t, () => subscribeWs(client, StanzasDocument, { filter: { xmlns: [ns] } }));
    const answer = askBot(ns);
    const request = stanzaOf(await stream.waitFor(() => true))!;
    const pending = async () => (await graphqlData(gateway, StatusDocument, {})).status.pendingAnswers;
    assert.equal(await pending(), 1);
    // The outbound queue refuses the first reply (as when it is full); later ones go out.
    const core = gateway.app.core;
    const send = core.reply.bind(core);
    const reply = t.mock.method(core, 'reply', async (stanza: Stanza) => {
      if (reply.mock.callCount() === 0) throw new GatewayError('queue-full', { retryAfterSeconds: 1 });
      await send(stanza);
    });
    const xmlText = `<iq type='result' to='${request.from}' id='${request.id}'><query xmlns='${ns}'><try>2</try></query></iq>`;
    const failed = await sendStanza(xmlText);
    assert.ok(failed.__typename === 'Unavailable', JSON.stringify(failed));
    assert.equal(failed.kind, 'QUEUE_FULL');
    assert.equal(reply.mock.callCount(), 1);
    assert.equal(await pending(), 1, 'still waiting for its answer');
    const retried = await sendStanza(xmlText);
    assert.equal(retried.__typename, 'SendStanzaSuccess');
    assert.equal(reply.mock.callCount(), 2, 'answers go out through core.reply');
    const received = await answer;
    assert.equal(received.getChild('query', ns)?.getChildText('try'), '2');
    assert.equal(await pending(), 0);
    const third = await sendStanza(xmlText);
    assert.ok(third.__typename === 'Refused');
  });

  it('the reply goes out from the address the iq was sent to, whatever from the bot gave', async (t) => {
    const ns = `urn:example:${uniqueText()}`;
    const stream = await live(t, () => subscribeWs(client, StanzasDocument, { filter: { xmlns: [ns] } }));
    const answer = alice.client.iqCaller.request(
      xml('iq', { type: 'get', to: `${BOT}/work` }, xml('query', { xmlns: ns })),
      5000,
    );
    const request = stanzaOf(await stream.waitFor(() => true))!;
    await sendStanza(`<iq type='result' to='${request.from}' id='${request.id}' from='${DOMAIN}'/>`);
    const received = await answer;
    assert.equal(received.attrs.from, `${BOT}/work`);
  });

  it('no reply within IQ_ANSWER_TIMEOUT_MS: the gateway answers remote-server-timeout, a late one refused', async (t) => {
    const ns = `urn:example:${uniqueText()}`;
    const stream = await live(t, () => subscribeWs(client, StanzasDocument, { filter: { xmlns: [ns] } }));
    const started = Date.now();
    const answer = askBot(ns).then(
      () => assert.fail('expected an error reply'),
      (error: { condition?: string; type?: string }) => error,
    );
    const request = stanzaOf(await stream.waitFor(() => true))!;
    const error = await answer;
    assert.equal(error.condition, 'remote-server-timeout');
    assert.ok(Date.now() - started >= ANSWER_TIMEOUT_MS - 50);
    const late = await sendStanza(`<iq type='result' to='${request.from}' id='${request.id}'/>`);
    assert.ok(late.__typename === 'Refused');
    assert.equal(late.kind, 'NO_PENDING_IQ');
  });

  it('an iq no subscription matches is answered service-unavailable at once', async (t) => {
    await live(t, () => subscribeWs(client, StanzasDocument, { filter: { xmlns: ['urn:example:other'] } }));
    const started = Date.now();
    const error = await askBot(`urn:example:${uniqueText()}`).then(
      () => assert.fail('expected an error reply'),
      (caught: { condition?: string }) => caught,
    );
    assert.equal(error.condition, 'service-unavailable');
    assert.ok(Date.now() - started < ANSWER_TIMEOUT_MS, 'not after the answer timeout');
  });

  it('an observing subscription sees the iq but does not take it on: service-unavailable at once', async (t) => {
    const ns = `urn:example:${uniqueText()}`;
    const stream = await live(t, () => subscribeWs(client, ObservedStanzasDocument, { filter: { xmlns: [ns] } }));
    const started = Date.now();
    const error = await askBot(ns).then(
      () => assert.fail('expected an error reply'),
      (caught: { condition?: string }) => caught,
    );
    assert.equal(error.condition, 'service-unavailable');
    assert.ok(Date.now() - started < ANSWER_TIMEOUT_MS, 'not after the answer timeout');
    const seen = stanzaOf(await stream.waitFor(() => true));
    assert.equal(seen?.__typename, 'Iq');
    assert.equal((await graphqlData(gateway, StatusDocument, {})).status.pendingAnswers, 0);
  });

  it('beside an observer, an answering subscription still takes the iq on', async (t) => {
    const ns = `urn:example:${uniqueText()}`;
    await live(t, () => subscribeWs(client, ObservedStanzasDocument, { filter: { xmlns: [ns] } }));
    const answering = await live(t, () => subscribeWs(client, StanzasDocument, { filter: { xmlns: [ns] } }));
    const answer = askBot(ns);
    const request = stanzaOf(await answering.waitFor(() => true));
    assert.ok(request?.__typename === 'Iq');
    const reply = await sendStanza(`<iq type='result' to='${request.from}' id='${request.id}'/>`);
    assert.equal(reply.__typename, 'SendStanzaSuccess');
    assert.equal((await answer).attrs.type, 'result');
  });

  it('ping at the bare domain is answered by the gateway; subscribers only see it', async (t) => {
    const stream = await live(t, () => subscribeWs(client, StanzasDocument, { filter: { xmlns: ['urn:xmpp:ping'] } }));
    const pong = await alice.client.iqCaller.request(
      xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
      5000,
    );
    assert.equal(pong.attrs.type, 'result');
    const request = stanzaOf(await stream.waitFor(() => true))!;
    const reply = await sendStanza(`<iq type='result' to='${request.from}' id='${request.id}'/>`);
    assert.equal(reply.__typename, 'Refused');
  });
});
