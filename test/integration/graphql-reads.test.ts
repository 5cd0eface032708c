import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { print } from 'graphql';
import { ArchiveDocument, LastActivityDocument, PingAsMutationDocument, PingDocument } from '../generated/graphql.ts';
// Prosody only: the MUC archive and mod_uptime these reads query are set up for Prosody.
import { startProsody, type Prosody } from '../../src/demo/local-prosody.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { graphqlData, graphqlHttp } from '../support/graphql-client.ts';
import { fillRoom } from '../support/muc-room.ts';
import { connectUser, xml, type XmppUser } from '../support/xmpp-user.ts';

/**
 * The reads as Query fields against a real Prosody: last activity (the server's uptime, a
 * client's idle time), a MUC room's archive page by page, the deprecated mutation twins, and a
 * query over GET, which is what a Query field is for (caches, refetches).
 */
let prosody: Prosody;
let gateway: TestGateway;
let alice: XmppUser;
let bob: XmppUser;
const ROOM = 'room1@conference.localhost';
const BODIES = ['first', 'second', 'third', 'fourth', 'fifth'];

before(async () => {
  prosody = await startProsody({ users: { alice: 'alice-pw', bob: 'bob-pw' }, muc: true, modules: ['uptime'] });
  gateway = await startGateway(prosody, { IQ_TIMEOUT_MS: '5000', REST_MAX_ARCHIVE_RESULTS: '4' });
  [alice, bob] = await Promise.all([
    connectUser(prosody, 'alice', 'alice-pw', 'phone'),
    connectUser(prosody, 'bob', 'bob-pw', 'laptop'),
  ]);
  alice.client.iqCallee.get('jabber:iq:last', 'query', () => xml('query', { xmlns: 'jabber:iq:last', seconds: '42' }));
  await fillRoom(bob, ROOM, BODIES);
});

after(async () => {
  await Promise.all([alice?.stop(), bob?.stop()]);
  await gateway?.stop();
  await prosody?.dispose();
});

describe('lastActivity (XEP-0012)', () => {
  it('of the server: its uptime in seconds, from mod_uptime', async () => {
    const { lastActivity } = await graphqlData(gateway, LastActivityDocument, { to: 'localhost' });
    assert.ok(lastActivity.__typename === 'LastActivity', JSON.stringify(lastActivity));
    assert.equal(lastActivity.reply.from, 'localhost');
    assert.ok(Number.isInteger(lastActivity.seconds) && lastActivity.seconds! >= 0, String(lastActivity.seconds));
    assert.ok(lastActivity.seconds! < 600, `a server started for this test: ${lastActivity.seconds}`);
  });

  it("of a client's full JID: what the client answers", async () => {
    const { lastActivity } = await graphqlData(gateway, LastActivityDocument, { to: 'alice@localhost/phone' });
    assert.ok(lastActivity.__typename === 'LastActivity', JSON.stringify(lastActivity));
    assert.equal(lastActivity.seconds, 42);
    assert.equal(lastActivity.status, null);
  });

  it('of a client that does not answer it: the stanza error, typed', async () => {
    const { lastActivity } = await graphqlData(gateway, LastActivityDocument, { to: 'bob@localhost/laptop' });
    assert.ok(lastActivity.__typename === 'StanzaErrorReply', JSON.stringify(lastActivity));
    assert.equal(lastActivity.condition, 'service-unavailable');
  });
});

describe('archive (XEP-0313): a MUC room with history', () => {
  it('one page, oldest first, with its bounds; the results never reach the inbound path', async () => {
    const seen: string[] = [];
    const stop = gateway.app.core.inbound.subscribe((stanza) => seen.push(stanza.toXml()));
    const { archive } = await graphqlData(gateway, ArchiveDocument, { to: ROOM, max: 2 });
    stop();
    assert.ok(archive.__typename === 'ArchivePage', JSON.stringify(archive));
    assert.deepEqual(seen, []);
    assert.deepEqual(
      archive.messages.map((entry) => entry.message?.body),
      ['first', 'second'],
    );
    for (const entry of archive.messages) {
      assert.equal(entry.message?.from, `${ROOM}/bob`);
      assert.equal(entry.message?.type, 'GROUPCHAT');
      assert.equal(entry.result.from, ROOM);
      assert.ok(entry.id.length > 0);
      assert.ok(entry.stamp && Date.now() - Date.parse(entry.stamp) < 600_000, String(entry.stamp));
    }
    assert.equal(archive.complete, false);
    assert.equal(archive.count, BODIES.length);
    assert.equal(archive.first, archive.messages[0]!.id);
    assert.equal(archive.last, archive.messages[1]!.id);
    assert.equal(archive.reply.type, 'RESULT');
  });

  it('pages forward with after: last, and back with before: first', async () => {
    const pages: string[][] = [];
    let after: string | null | undefined;
    for (;;) {
      const { archive } = await graphqlData(gateway, ArchiveDocument, { to: ROOM, max: 2, after });
      assert.ok(archive.__typename === 'ArchivePage', JSON.stringify(archive));
      pages.push(archive.messages.map((entry) => entry.message!.body!));
      if (archive.complete) break;
      after = archive.last;
      assert.ok(pages.length < 5, 'the archive never said complete');
    }
    assert.deepEqual(pages, [['first', 'second'], ['third', 'fourth'], ['fifth']]);

    const { archive: last } = await graphqlData(gateway, ArchiveDocument, { to: ROOM, max: 2, before: '' });
    assert.ok(last.__typename === 'ArchivePage', JSON.stringify(last));
    assert.deepEqual(
      last.messages.map((entry) => entry.message?.body),
      ['fourth', 'fifth'],
    );
    const { archive: previous } = await graphqlData(gateway, ArchiveDocument, { to: ROOM, max: 2, before: last.first });
    assert.ok(previous.__typename === 'ArchivePage', JSON.stringify(previous));
    assert.deepEqual(
      previous.messages.map((entry) => entry.message?.body),
      ['second', 'third'],
    );
  });

  it('the time filters reach the server', async () => {
    const future = await graphqlData(gateway, ArchiveDocument, { to: ROOM, start: '2999-01-01T00:00:00Z' });
    const past = await graphqlData(gateway, ArchiveDocument, { to: ROOM, end: '2000-01-01T00:00:00Z' });
    for (const { archive } of [future, past]) {
      assert.ok(archive.__typename === 'ArchivePage', JSON.stringify(archive));
      assert.deepEqual(archive.messages, []);
      assert.equal(archive.complete, true);
    }
  });

  it('max above REST_MAX_ARCHIVE_RESULTS, or below 0: InvalidInput on max, nothing sent', async () => {
    const before = gateway.app.core.status().counters.out.iq;
    for (const max of [5, -1]) {
      const { archive } = await graphqlData(gateway, ArchiveDocument, { to: ROOM, max });
      assert.ok(archive.__typename === 'InvalidInput', JSON.stringify(archive));
      assert.equal(archive.field, 'max');
      assert.match(archive.message, /REST_MAX_ARCHIVE_RESULTS/);
    }
    assert.equal(gateway.app.core.status().counters.out.iq, before);
  });

  it('a room that does not exist: its error, typed', async () => {
    const { archive } = await graphqlData(gateway, ArchiveDocument, { to: 'nowhere@conference.localhost' });
    assert.ok(archive.__typename === 'StanzaErrorReply', JSON.stringify(archive));
    assert.equal(archive.condition, 'item-not-found');
  });
});

describe('reads are queries', () => {
  it('a read over GET (what caches and refetches use) answers like POST', async () => {
    const url = new URL(`${gateway.url}/graphql`);
    url.searchParams.set('query', print(PingDocument));
    url.searchParams.set('variables', JSON.stringify({ to: 'localhost' }));
    // The CSRF header a GET needs (docs/graphql.md); a mutation is never run over GET.
    const headers = {
      Accept: 'application/graphql-response+json',
      Authorization: `Bearer ${gateway.token}`,
      'X-GraphQL-Yoga-CSRF': '1',
    };
    const response = await fetch(url, { headers });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { data?: { ping: { __typename: string } } };
    assert.equal(body.data?.ping.__typename, 'Pong', JSON.stringify(body));
    url.searchParams.set('query', print(PingAsMutationDocument));
    assert.equal((await fetch(url, { headers })).status, 405);
  });

  it('the mutation twin of a read still answers, and says it is deprecated', async () => {
    const { ping } = await graphqlData(gateway, PingAsMutationDocument, { to: 'localhost' });
    assert.equal(ping.__typename, 'Pong');
    const { body } = await graphqlHttp(gateway, PingAsMutationDocument, { to: 'localhost' });
    assert.equal(body.errors, undefined);
    const schema = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${gateway.token}` },
      body: JSON.stringify({
        query: '{ __type(name: "Mutation") { fields(includeDeprecated: true) { name isDeprecated } } }',
      }),
    });
    const fields = (
      (await schema.json()) as { data: { __type: { fields: { name: string; isDeprecated: boolean }[] } } }
    ).data.__type.fields;
    for (const name of ['ping', 'discoInfo', 'discoItems', 'version'])
      assert.equal(fields.find((field) => field.name === name)?.isDeprecated, true, name);
    for (const name of ['lastActivity', 'archive'])
      assert.equal(
        fields.find((field) => field.name === name),
        undefined,
        `${name} is a Query field only`,
      );
  });
});
