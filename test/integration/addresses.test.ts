import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Component } from '@xmpp/component-core';
import type { Element } from 'ltx';
import type { ServerKind } from '../../src/demo/local-server.ts';
import { escapeAttribute } from '../../src/xmpp/codec/index.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { rest } from '../support/rest-client.ts';
import { startXmppServer, testServerKind, traits, type XmppServer } from '../support/xmpp-server.ts';

/**
 * The gateway refuses (422) exactly the addresses the servers refuse (docs/addresses.md), and
 * this is checked against the real server: a bare component on another domain sends the same
 * addresses and the server's own answers are compared with the gateway's verdict.
 */
const BOTH: ServerKind[] = ['prosody', 'ejabberd'];
const EJABBERD: ServerKind[] = ['ejabberd'];

// [address, servers that refuse it]; the gateway refuses all of them.
const refused: [string, ServerKind[]][] = [
  ['a b@localhost', BOTH],
  ['a\u00a0b@localhost', BOTH],
  ['a\u3000b@localhost', BOTH],
  ["o'brien@localhost", BOTH],
  ['a:b@localhost', BOTH],
  ['a\u05e9@localhost', BOTH],
  ['\u05e91@localhost', BOTH],
  ['alice@localhost/a\u05e9', BOTH],
  ['a\ue000@localhost', BOTH],
  ['a\u2028@localhost', BOTH],
  ['alice@localhost/a\u2028', BOTH],
  ['a\ufffd@localhost', BOTH],
  ['a\u0085b@localhost', BOTH],
  ['\u{1f600}@localhost', EJABBERD],
  ['alice@localhost/\u{1f600}', EJABBERD],
  ['a\u0221@localhost', EJABBERD],
  ['\u{1f1e6}@localhost', EJABBERD],
  ['alice@\u{1f600}.localhost', EJABBERD],
];

// [address, as the gateway normalises it]: the server routes these (no malformed-address error).
const accepted: [string, string][] = [
  ['ALICE@LocalHost', 'alice@localhost'],
  ['Stra\u00dfe@localhost', 'strasse@localhost'],
  ['\ufb01@localhost', 'fi@localhost'],
  ['\u2665@localhost', '\u2665@localhost'],
  ['al\u00adice@localhost', 'alice@localhost'],
  ['\u05e9\u05e9@localhost', '\u05e9\u05e9@localhost'],
  ['\u4e00@localhost', '\u4e00@localhost'],
  ['alice@localhost/\uff21\uff22', 'alice@localhost/AB'],
  ['alice@localhost/a\u00a0b', 'alice@localhost/a b'],
  ['alice@localhost/\u2665', 'alice@localhost/\u2665'],
];

let server: XmppServer;
let gateway: TestGateway;
let probe: Component;
const answers = new Map<string, (stanza: Element) => void>();

before(async () => {
  server = await startXmppServer({ extraComponents: { 'raw.localhost': 'raw-secret' } });
  gateway = await startGateway(server);
  probe = new Component({ service: server.componentServices['raw.localhost']!, domain: 'raw.localhost' });
  probe.on('error', () => {});
  probe.on('open', (header: Element) => void probe.authenticate(header.attrs.id ?? '', 'raw-secret'));
  probe.on('stanza', (stanza: Element) => answers.get(stanza.attrs.id ?? '')?.(stanza));
  await probe.start();
});

after(async () => {
  await probe?.stop().catch(() => {});
  await gateway?.stop();
  await server?.dispose();
});

let sequence = 0;

/** What the server answers a ping to `address` sent straight from a component. */
async function serverAnswer(address: string): Promise<{ type: string; condition: string | undefined }> {
  const id = `raw-${(sequence += 1)}`;
  const answer = new Promise<Element>((resolve) => answers.set(id, resolve));
  await probe.write(
    `<iq type='get' id='${id}' from='raw.localhost' to='${escapeAttribute(address)}'><ping xmlns='urn:xmpp:ping'/></iq>`,
  );
  const stanza = await answer;
  answers.delete(id);
  const condition = stanza
    .getChild('error')
    ?.getChildElements()
    .find((child) => child.name !== 'text')?.name;
  return { type: stanza.attrs.type ?? '', condition };
}

describe(`addresses the servers refuse get 422 (${testServerKind})`, () => {
  for (const [address, refusedBy] of refused) {
    it(`${JSON.stringify(address)}: 422 at the gateway; ${refusedBy.join(' and ')} ${refusedBy.length > 1 ? 'refuse' : 'refuses'} it`, async () => {
      const response = await rest(gateway, {
        body: `<message to='${escapeAttribute(address)}'><body>hi</body></message>`,
      });
      assert.equal(response.status, 422, response.body);
      assert.match(response.body, /improper-addressing/);
      const local = /^([^@/]+)@localhost$/.exec(address)?.[1];
      if (local !== undefined) {
        // The same local part at the component's domain, as `from`.
        const asFrom = await rest(gateway, {
          body: `<message from='${escapeAttribute(local)}@${server.componentDomain}' to='alice@localhost'/>`,
        });
        assert.equal(asFrom.status, 422, asFrom.body);
        assert.match(asFrom.body, /invalid-from/);
      }

      const answer = await serverAnswer(address);
      if (refusedBy.includes(testServerKind)) {
        assert.equal(answer.condition, traits.malformedAddress, `${testServerKind} refuses it`);
      } else {
        assert.notEqual(answer.condition, traits.malformedAddress, `${testServerKind} lets it through`);
      }
    });
  }
});

describe(`addresses the servers route are accepted and normalised as they normalise them (${testServerKind})`, () => {
  for (const [address, normalised] of accepted) {
    it(`${JSON.stringify(address)} → ${JSON.stringify(normalised)}`, async () => {
      const response = await rest(gateway, {
        body: `<iq type='get' to='${escapeAttribute(address)}'><ping xmlns='urn:xmpp:ping'/></iq>`,
      });
      assert.equal(response.status, 200, response.body);
      assert.doesNotMatch(response.body, new RegExp(`<${traits.malformedAddress}`));
      // The reply was matched to the request: it came from the address as normalised.
      assert.ok(response.body.includes(normalised), response.body);
      assert.notEqual((await serverAnswer(address)).condition, traits.malformedAddress);
    });
  }
});
