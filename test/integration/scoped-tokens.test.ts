import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ExecutionResult } from 'graphql';
import {
  DeliveriesDocument,
  DeliveryEventsDocument,
  RedeliverDocument,
  SendIqDocument,
  SendMessageDocument,
  StanzasDocument,
  type StanzasSubscription,
  TokenScopeDocument,
} from '../generated/graphql.ts';
import { PROCESS_TOKEN, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts';
import { startGateway, TEST_TOKEN, type TestGateway } from '../support/gateway.ts';
import { type EventStream, graphqlHttp, subscribeSse, subscribeWs, wsClient } from '../support/graphql-client.ts';
import { messageWithBody, uniqueText } from '../support/markers.ts';
import { rest, xmlError } from '../support/rest-client.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * Scoped tokens (API_SCOPED_TOKENS) on every face: a bot's token may send only as its own
 * addresses, receives only its own stanzas, may not read the delivery log, is held to its rate,
 * and a reload (SIGHUP) narrows it while its subscriptions are open. API_TOKENS keep every right.
 */
const BOT1 = 'bot1-secret-token-0123456789';
const BOT2 = 'bot2-secret-token-0123456789';
const BURSTY = 'bursty-secret-token-0123456789';
const sha256 = (token: string) => `sha256:${createHash('sha256').update(token).digest('hex')}`;

let prosody: XmppServer;
let alice: XmppUser;
let domain: string;

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  domain = prosody.componentDomain;
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
});

after(async () => {
  await alice?.stop();
  await prosody?.dispose();
});

function tokens() {
  return [
    // A plain token, and one given by its hash only.
    { name: 'bot1', token: BOT1, from: [`bot1@${domain}/*`], can: ['send', 'iq', 'subscribe', 'status'] },
    { name: 'bot2', hash: sha256(BOT2), from: [`bot2@${domain}/*`], can: ['send', 'subscribe'] },
    { name: 'bursty', token: BURSTY, from: [`bursty@${domain}`], can: ['send'], rate: { perSecond: 0.2, burst: 2 } },
  ];
}

type StanzaEvent = ExecutionResult<StanzasSubscription>;
const bodyOf = (event: StanzaEvent) => {
  const stanza = event.data?.stanzas;
  return stanza?.__typename === 'Message' ? stanza.body : undefined;
};
const withBody = (text: string) => (event: StanzaEvent) => bodyOf(event) === text;
/** The codes a subscription ended with: in a last event (yoga) or as the socket's error. */
async function endCodes<T>(stream: EventStream<T>): Promise<(string | undefined)[]> {
  const ended = await stream.ended;
  return [...stream.events.flatMap((event) => codesOf(event.errors)), ...codesOf(ended)];
}
const codesOf = (errors: unknown) =>
  (Array.isArray(errors) ? (errors as { extensions?: { code?: string } }[]) : []).map((e) => e.extensions?.code);

const message = (from: string, to: string, body: string) =>
  `<message xmlns='jabber:client' from='${from}' to='${to}'><body>${body}</body></message>`;

describe('scoped tokens in one gateway', () => {
  let gateway: TestGateway;

  before(async () => {
    gateway = await startGateway(prosody, {
      API_SCOPED_TOKENS: JSON.stringify(tokens()),
      IQ_ANSWER_TIMEOUT_MS: '5000',
    });
  });
  after(async () => {
    await gateway?.stop();
  });

  it('/rest: its own from is sent (plain and hashed tokens); another bot’s is the contract’s 403', async () => {
    const mine = uniqueText();
    const sent = await rest(gateway, { token: BOT1, body: message(`bot1@${domain}/a`, alice.jid, mine) });
    assert.equal(sent.status, 202);
    await alice.waitFor(messageWithBody(mine));
    const hashed = uniqueText();
    assert.equal(
      (await rest(gateway, { token: BOT2, body: message(`bot2@${domain}`, alice.jid, hashed) })).status,
      202,
    );
    await alice.waitFor(messageWithBody(hashed));

    const stolen = uniqueText();
    const refused = await rest(gateway, { token: BOT1, body: message(`bot2@${domain}`, alice.jid, stolen) });
    assert.equal(refused.status, 403);
    assert.equal(refused.body, xmlError('not-authorized', "Not authorized to send stanza with requested 'from'"));
    // The component's own address is another bot's too, as far as bot1 is concerned.
    assert.equal((await rest(gateway, { token: BOT1, body: message(domain, alice.jid, stolen) })).status, 403);
    // The admin token (API_TOKENS) sends as anyone at the domain.
    const admin = uniqueText();
    assert.equal((await rest(gateway, { body: message(`bot2@${domain}`, alice.jid, admin) })).status, 202);
    // Marker: the refused sends would have arrived before it.
    await alice.waitFor(messageWithBody(admin));
    assert.equal(alice.received.filter(messageWithBody(stolen)).length, 0);
  });

  it('/rest: an operation outside can is 403, JSON bodies as well', async () => {
    const iq = `<iq xmlns='jabber:client' type='get' from='bot2@${domain}' to='${prosody.host}' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>`;
    const refused = await rest(gateway, { token: BOT2, body: iq, headers: { Accept: 'application/json' } });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /may not use the operation iq/);
    assert.doesNotMatch(refused.body, new RegExp(BOT2));
    // GET shortcuts are iqs too; their iq has no from, so it goes as the domain, which bot1 may not use.
    assert.equal((await rest(gateway, { token: BOT2, method: 'GET', path: `/ping/${prosody.host}` })).status, 403);
    assert.equal((await rest(gateway, { token: BOT1, method: 'GET', path: `/ping/${prosody.host}` })).status, 403);
    const own = iq.replaceAll(`bot2@${domain}`, `bot1@${domain}/a`);
    assert.equal((await rest(gateway, { token: BOT1, body: own })).status, 200);
  });

  it('GraphQL: another bot’s from is InvalidInput FROM_NOT_AUTHORIZED; an operation outside can is Refused', async () => {
    const stolen = await graphqlHttp(
      gateway,
      SendMessageDocument,
      { input: { to: alice.jid, from: `bot2@${domain}`, body: 'x' } },
      { token: BOT1 },
    );
    assert.equal(stolen.status, 200);
    const result = stolen.body.data?.sendMessage;
    assert.equal(result?.__typename, 'InvalidInput');
    assert.equal(result?.__typename === 'InvalidInput' && result.kind, 'FROM_NOT_AUTHORIZED');
    assert.equal(result?.__typename === 'InvalidInput' && result.field, 'from');

    const iq = await graphqlHttp(
      gateway,
      SendIqDocument,
      { input: { to: prosody.host, from: `bot2@${domain}`, type: 'GET', payload: "<ping xmlns='urn:xmpp:ping'/>" } },
      { token: BOT2 },
    );
    const refused = iq.body.data?.sendIq;
    assert.equal(refused?.__typename, 'Refused');
    assert.equal(refused?.__typename === 'Refused' && refused.kind, 'OPERATION_NOT_ALLOWED');
  });

  it('the delivery log and redeliver are refused with OPERATION_NOT_ALLOWED; status is too without the right', async () => {
    for (const [document, variables] of [
      [DeliveriesDocument, { first: 1 }],
      [RedeliverDocument, { id: 'd1' }],
      [TokenScopeDocument, {}],
    ] as const) {
      const { status, body } = await graphqlHttp(gateway, document as typeof DeliveriesDocument, variables, {
        token: BOT2,
      });
      assert.equal(status, 200);
      assert.deepEqual(codesOf(body.errors), ['OPERATION_NOT_ALLOWED'], JSON.stringify(body));
    }
  });

  it('status shows the caller its own scope (API_TOKENS: every right, api-token-1)', async () => {
    const mine = await graphqlHttp(gateway, TokenScopeDocument, {}, { token: BOT1 });
    assert.deepEqual(mine.body.data?.status.token, {
      name: 'bot1',
      from: [`bot1@${domain}/*`],
      see: [`bot1@${domain}/*`],
      can: ['send', 'iq', 'subscribe', 'status'],
      rate: null,
    });
    const admin = await graphqlHttp(gateway, TokenScopeDocument, {});
    assert.equal(admin.body.data?.status.token.name, 'api-token-1');
    assert.deepEqual(admin.body.data?.status.token.can, [
      'send',
      'iq',
      'subscribe',
      'deliveries',
      'redeliver',
      'status',
    ]);
  });

  it('subscriptions (graphql-ws and SSE) receive only the token’s own stanzas while another bot’s flow', async () => {
    const client = wsClient(gateway, { authorization: `Bearer ${BOT1}` });
    const admin = wsClient(gateway);
    const streams: EventStream<StanzasSubscription>[] = [];
    try {
      const ws = await subscribeWs(client, StanzasDocument, {});
      const sse = await subscribeSse(gateway, StanzasDocument, {}, { token: BOT1 });
      const all = await subscribeWs(admin, StanzasDocument, {});
      streams.push(ws, sse, all);
      // Live once a probe to bot1 comes through on each.
      const probe = uniqueText();
      const deadline = Date.now() + 5000;
      while (![ws, sse, all].every((stream) => stream.events.some(withBody(probe)))) {
        assert.ok(Date.now() < deadline, 'the subscriptions did not start');
        await alice.sendXml(message(alice.jid, `bot1@${domain}`, probe));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      const others = uniqueText();
      const marker = uniqueText();
      await alice.sendXml(message(alice.jid, `bot2@${domain}/x`, others));
      await alice.sendXml(message(alice.jid, domain, others));
      await alice.sendXml(message(alice.jid, `bot1@${domain}/home`, marker));
      // The admin's subscription proves the other bots' traffic flowed, before the marker.
      await all.waitFor(withBody(marker));
      assert.equal(all.events.filter(withBody(others)).length, 2);
      for (const stream of [ws, sse]) {
        await stream.waitFor(withBody(marker));
        assert.equal(stream.events.filter(withBody(others)).length, 0, 'bot1 saw another bot’s stanza');
      }
    } finally {
      for (const stream of streams) stream.close();
      await Promise.all([client.dispose(), admin.dispose()]);
    }
  });

  it('a subscription without the right is refused, on graphql-ws and SSE, the delivery log’s too', async () => {
    const bursty = wsClient(gateway, { authorization: `Bearer ${BURSTY}` });
    const bot1 = wsClient(gateway, { authorization: `Bearer ${BOT1}` });
    try {
      const ws = await subscribeWs(bursty, StanzasDocument, {});
      assert.deepEqual(await endCodes(ws), ['OPERATION_NOT_ALLOWED']);
      const sse = await subscribeSse(gateway, StanzasDocument, {}, { token: BURSTY });
      assert.deepEqual(await endCodes(sse), ['OPERATION_NOT_ALLOWED']);
      // bot1 may subscribe to stanzas, not to the delivery log.
      const log = await subscribeWs(bot1, DeliveryEventsDocument, {});
      assert.deepEqual(await endCodes(log), ['OPERATION_NOT_ALLOWED']);
      const logSse = await subscribeSse(gateway, DeliveryEventsDocument, {}, { token: BOT1 });
      assert.deepEqual(await endCodes(logSse), ['OPERATION_NOT_ALLOWED']);
    } finally {
      await Promise.all([bursty.dispose(), bot1.dispose()]);
    }
  });

  it('a subscriber whose token may not send iqs sees an inbound iq but never holds it for an answer', async () => {
    const client = wsClient(gateway, { authorization: `Bearer ${BOT2}` });
    try {
      const ns = `urn:example:${uniqueText()}`;
      const stream = await subscribeWs(client, StanzasDocument, {});
      // Live once a probe to bot2 comes through.
      const probe = uniqueText();
      const deadline = Date.now() + 5000;
      while (!stream.events.some(withBody(probe))) {
        assert.ok(Date.now() < deadline, 'the subscription did not start');
        await alice.sendXml(message(alice.jid, `bot2@${domain}`, probe));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const id = uniqueText();
      const started = Date.now();
      await alice.sendXml(
        `<iq xmlns='jabber:client' type='get' to='bot2@${domain}' id='${id}'><q xmlns='${ns}'/></iq>`,
      );
      const reply = await alice.waitFor((stanza) => stanza.is('iq') && stanza.attrs.id === id);
      assert.equal(reply.attrs.type, 'error');
      assert.ok(reply.getChild('error')?.getChild('service-unavailable'), reply.toString());
      assert.ok(Date.now() - started < 5000, 'answered only after the answer timeout');
      const seen = await stream.waitFor((event) => event.data?.stanzas.id === id);
      assert.equal(seen.data?.stanzas.__typename, 'Iq');
      stream.close();
    } finally {
      await client.dispose();
    }
  });

  it('graphql-ws: another bot’s from is FROM_NOT_AUTHORIZED there too', async () => {
    const client = wsClient(gateway, { authorization: `Bearer ${BOT1}` });
    try {
      const stolen = uniqueText();
      const sent = await subscribeWs(client, SendMessageDocument, {
        input: { to: alice.jid, from: `bot2@${domain}`, body: stolen },
      });
      await sent.ended;
      const result = sent.events[0]?.data?.sendMessage;
      assert.equal(result?.__typename === 'InvalidInput' && result.kind, 'FROM_NOT_AUTHORIZED', JSON.stringify(result));
      const own = uniqueText();
      const ok = await subscribeWs(client, SendMessageDocument, {
        input: { to: alice.jid, from: `bot1@${domain}/ws`, body: own },
      });
      await ok.ended;
      assert.equal(ok.events[0]?.data?.sendMessage.__typename, 'SendMessageSuccess');
      await alice.waitFor(messageWithBody(own));
      assert.equal(alice.received.filter(messageWithBody(stolen)).length, 0);
    } finally {
      await client.dispose();
    }
  });

  it('past its rate: 429 with Retry-After on /rest, Unavailable RATE_LIMITED in GraphQL', async () => {
    const send = () => rest(gateway, { token: BURSTY, body: message(`bursty@${domain}`, alice.jid, uniqueText()) });
    assert.deepEqual([(await send()).status, (await send()).status], [202, 202]);
    const limited = await send();
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 5, `Retry-After ${retryAfter}`);
    const graphql = await graphqlHttp(
      gateway,
      SendMessageDocument,
      { input: { to: alice.jid, from: `bursty@${domain}`, body: 'x' } },
      { token: BURSTY },
    );
    const result = graphql.body.data?.sendMessage;
    assert.equal(result?.__typename, 'Unavailable');
    assert.equal(result?.__typename === 'Unavailable' && result.kind, 'RATE_LIMITED');
    assert.ok(result?.__typename === 'Unavailable' && (result.retryAfterSeconds ?? 0) >= 1);
    // The same bucket over graphql-ws.
    const client = wsClient(gateway, { authorization: `Bearer ${BURSTY}` });
    try {
      const ws = await subscribeWs(client, SendMessageDocument, {
        input: { to: alice.jid, from: `bursty@${domain}`, body: 'x' },
      });
      await ws.ended;
      const wsResult = ws.events[0]?.data?.sendMessage;
      assert.equal(wsResult?.__typename === 'Unavailable' && wsResult.kind, 'RATE_LIMITED', JSON.stringify(wsResult));
    } finally {
      await client.dispose();
    }
    // Other tokens have their own rate.
    assert.equal((await rest(gateway, { token: BOT1, body: message(`bot1@${domain}`, alice.jid, 'x') })).status, 202);
  });

  it('metrics count by token name, never the secret', async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(
      text,
      /stanza_gateway_token_operations_total\{token="bot1",operation="send",outcome="forbidden"\} [1-9]/,
    );
    assert.match(
      text,
      /stanza_gateway_token_operations_total\{token="bursty",operation="send",outcome="rate-limited"\} [1-9]/,
    );
    assert.match(
      text,
      /stanza_gateway_token_operations_total\{token="api-token-1",operation="send",outcome="allowed"\} [1-9]/,
    );
    for (const secret of [BOT1, BOT2, BURSTY, TEST_TOKEN]) assert.ok(!text.includes(secret));
  });
});

describe('a reload (SIGHUP) narrows a scope while its subscriptions are open', () => {
  let gateway: GatewayProcess;
  let dir: string;
  let file: string;

  const writeConfig = (scoped: unknown[]) => writeFileSync(file, JSON.stringify({ API_SCOPED_TOKENS: scoped }));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scoped-tokens-'));
    file = join(dir, 'gateway.json');
    writeConfig(tokens());
    gateway = await startGatewayProcess(
      {
        XMPP_SERVICE: prosody.componentService,
        XMPP_DOMAIN: domain,
        XMPP_SECRET: prosody.componentSecret,
        XMPP_RECONNECT_MIN_MS: '100',
      },
      undefined,
      { args: ['--config', file] },
    );
  });
  after(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends the subscriptions that lost the right (SCOPE_REVOKED), narrows see at once, keeps the link', async () => {
    const target = { url: gateway.url, token: BOT1 } as TestGateway;
    const bot1 = wsClient(target, { authorization: `Bearer ${BOT1}` });
    const bot2 = wsClient(target, { authorization: `Bearer ${BOT2}` });
    try {
      const ws = await subscribeWs(bot1, StanzasDocument, {});
      const sse = await subscribeSse(target, StanzasDocument, {}, { token: BOT1 });
      const watcher = await subscribeWs(bot2, StanzasDocument, {});
      const probe = uniqueText();
      const deadline = Date.now() + 5000;
      while (
        !ws.events.some(withBody(probe)) ||
        !sse.events.some(withBody(probe)) ||
        !watcher.events.some(withBody(probe))
      ) {
        assert.ok(Date.now() < deadline, 'the subscriptions did not start');
        await alice.sendXml(message(alice.jid, `bot1@${domain}`, probe));
        await alice.sendXml(message(alice.jid, `bot2@${domain}`, probe));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const before = await gateway.metrics();

      // bot1 loses subscribe and all but one resource; bot2 keeps subscribe but sees only one resource now.
      const [one, two, bursty] = tokens();
      writeConfig([
        { ...one, from: [`bot1@${domain}/only`], can: ['send'] },
        { ...two, see: [`bot2@${domain}/narrow`] },
        bursty,
      ]);
      gateway.signal('SIGHUP');
      assert.deepEqual(codesOf(await ws.ended), ['SCOPE_REVOKED']);
      await sse.ended;
      assert.deepEqual(
        sse.events.flatMap((event) => codesOf(event.errors)),
        ['SCOPE_REVOKED'],
        JSON.stringify(sse.events.at(-1)),
      );

      const hidden = uniqueText();
      const marker = uniqueText();
      await alice.sendXml(message(alice.jid, `bot2@${domain}`, hidden));
      await alice.sendXml(message(alice.jid, `bot2@${domain}/narrow`, marker));
      await watcher.waitFor(withBody(marker));
      assert.equal(watcher.events.filter(withBody(hidden)).length, 0, 'the narrowed see let a stanza through');

      // The link stayed up through the reload: no new connection.
      const afterReload = await gateway.metrics();
      assert.equal(afterReload.get('stanza_gateway_link_up'), 1);
      assert.equal(
        afterReload.get('stanza_gateway_link_reconnects') ?? 0,
        before.get('stanza_gateway_link_reconnects') ?? 0,
      );
      // A new subscription with bot1 is refused now; sending as its one resource still works.
      const again = await subscribeWs(bot1, StanzasDocument, {});
      assert.deepEqual(await endCodes(again), ['OPERATION_NOT_ALLOWED']);
      const sent = await rest(target, { token: BOT1, body: message(`bot1@${domain}/only`, alice.jid, uniqueText()) });
      assert.equal(sent.status, 202);
      // The narrowed from applies to the next send.
      const narrowed = await rest(target, { token: BOT1, body: message(`bot1@${domain}/a`, alice.jid, uniqueText()) });
      assert.equal(narrowed.status, 403);
      watcher.close();
    } finally {
      await Promise.all([bot1.dispose(), bot2.dispose()]);
    }
  });

  it('a config file that no longer reads, or a wrong scope entry, leaves the tokens as they were, logged without secrets', async () => {
    const statusWith = async (token: string) =>
      (
        await fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ __typename }' }),
        })
      ).status;
    const logged = async (pattern: RegExp) => {
      const deadline = Date.now() + 5000;
      while (!pattern.test(gateway.output())) {
        assert.ok(Date.now() < deadline, `no log line matching ${pattern}: ${gateway.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    writeFileSync(file, `{ not json ${BOT1}`);
    gateway.signal('SIGHUP');
    await logged(/SIGHUP.*tokens are unchanged/);
    assert.match(gateway.output(), /gateway\.json is not valid JSON/);
    assert.equal(await statusWith(BOT2), 200);
    // Wrong entries: every problem named, the old rights kept.
    const [one, two] = tokens();
    writeConfig([
      { ...one, can: ['send', 'sned'] },
      { ...two, from: 'bot2@*', colour: 'red' },
    ]);
    gateway.signal('SIGHUP');
    await logged(/"sned\\" is not an operation/);
    for (const problem of [/\\"colour\\" is not a key of a token/, /\\"bot2@\*\\" is not an address pattern/]) {
      assert.match(gateway.output(), problem);
    }
    assert.equal(await statusWith(BOT2), 200);
    for (const secret of [BOT1, BOT2, BURSTY]) assert.ok(!gateway.output().includes(secret), 'a secret was logged');

    writeConfig([]);
    gateway.signal('SIGHUP');
    const deadline = Date.now() + 5000;
    while ((await statusWith(BOT2)) !== 403) {
      assert.ok(Date.now() < deadline, 'the reload did not remove the token');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // API_TOKENS are not the config file's to take away.
    assert.equal(await statusWith(PROCESS_TOKEN), 200);
  });
});
