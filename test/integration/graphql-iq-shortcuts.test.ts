import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DiscoInfoDocument, DiscoItemsDocument, PingDocument, VersionDocument } from '../generated/graphql.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { graphqlData } from '../support/graphql-client.ts';
import { startXmppServer, traits, type XmppServer } from '../support/xmpp-server.ts';

/**
 * The convenience iqs (ping, discoInfo, discoItems, version) against a real Prosody: its host
 * `localhost` answers all four (mod_ping, mod_disco, mod_version are enabled in the test
 * config, src/demo/local-prosody.ts).
 */
let prosody: XmppServer;
let gateway: TestGateway;
const SERVER = 'localhost';
const DOMAIN = 'rest.localhost';

before(async () => {
  prosody = await startXmppServer();
  gateway = await startGateway(prosody, { IQ_TIMEOUT_MS: '3000' });
});

after(async () => {
  await gateway?.stop();
  await prosody?.dispose();
});

describe('iq shortcuts against the server', () => {
  it('ping: a Pong with the round trip and the result reply', async () => {
    const { ping } = await graphqlData(gateway, PingDocument, { to: SERVER });
    assert.ok(ping.__typename === 'Pong', JSON.stringify(ping));
    assert.equal(ping.reply.from, SERVER);
    assert.ok(ping.reply.id.length > 0);
    assert.ok(ping.rttMs > 0 && ping.rttMs < 3000, `rttMs ${ping.rttMs}`);
  });

  it('ping an address that is not there: the typed stanza error, not a failure', async () => {
    const { ping } = await graphqlData(gateway, PingDocument, { to: 'nobody@localhost/gone' });
    assert.ok(ping.__typename === 'StanzaErrorReply', JSON.stringify(ping));
    assert.equal(ping.condition, 'service-unavailable');
    assert.match(ping.reply.xml, /type='error'/);
  });

  it('discoInfo: the server identity and its features', async () => {
    const { discoInfo } = await graphqlData(gateway, DiscoInfoDocument, { to: SERVER });
    assert.ok(discoInfo.__typename === 'DiscoInfo', JSON.stringify(discoInfo));
    assert.equal(discoInfo.node, null);
    assert.ok(
      discoInfo.identities.some((identity) => identity.category === 'server' && identity.type === 'im'),
      JSON.stringify(discoInfo.identities),
    );
    for (const feature of ['http://jabber.org/protocol/disco#info', 'urn:xmpp:ping', 'jabber:iq:version']) {
      assert.ok(discoInfo.features.includes(feature), `${feature} in ${JSON.stringify(discoInfo.features)}`);
    }
  });

  it('discoInfo of the gateway itself: answered by the gateway (component identity)', async () => {
    const { discoInfo } = await graphqlData(gateway, DiscoInfoDocument, { to: DOMAIN });
    assert.ok(discoInfo.__typename === 'DiscoInfo', JSON.stringify(discoInfo));
    assert.deepEqual(
      discoInfo.identities.map(({ category, type }) => ({ category, type })),
      [{ category: 'component', type: 'generic' }],
    );
    assert.ok(discoInfo.features.includes('urn:xmpp:ping'));
  });

  it('discoItems: the server lists the component', async () => {
    const { discoItems } = await graphqlData(gateway, DiscoItemsDocument, { to: SERVER });
    assert.ok(discoItems.__typename === 'DiscoItems', JSON.stringify(discoItems));
    assert.ok(
      discoItems.items.some((item) => item.jid === DOMAIN),
      JSON.stringify(discoItems.items),
    );
  });

  it('version: the server software (its own name on each server)', async () => {
    const { version } = await graphqlData(gateway, VersionDocument, { to: SERVER });
    assert.ok(version.__typename === 'SoftwareVersion', JSON.stringify(version));
    assert.equal(version.name, traits.versionName);
    assert.match(version.version ?? '', /^\d+\.\d+/);
  });

  it('an invalid address is refused by the JID scalar before anything is sent', async () => {
    const before = gateway.app.core.status().counters.out.iq;
    await assert.rejects(graphqlData(gateway, VersionDocument, { to: 'a@@b' }), /Invalid JID/);
    assert.equal(gateway.app.core.status().counters.out.iq, before);
  });
});
