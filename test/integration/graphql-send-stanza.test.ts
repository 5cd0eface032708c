import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SendStanzaDocument } from '../generated/graphql.ts';
import { messageWithBody, uniqueText } from '../support/markers.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { graphqlData } from '../support/graphql-client.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { rest } from '../support/rest-client.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * sendStanza: raw XML through exactly the /rest parser and rules, byte for byte, with iq
 * get/set resolving with the reply.
 */
let prosody: XmppServer;
let gateway: TestGateway;
let alice: XmppUser;
const DOMAIN = 'rest.localhost';

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  gateway = await startGateway(prosody, { REST_MAX_BODY_BYTES: '4096' });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
  alice.client.iqCallee.get('urn:example:echo', 'query', ({ stanza }) => stanza.getChild('query')!);
});

after(async () => {
  await alice?.stop();
  await gateway?.stop();
  await prosody?.dispose();
});

async function sendStanza(xml: string, timeoutMs?: number) {
  return (await graphqlData(gateway, SendStanzaDocument, { xml, timeoutMs })).sendStanza;
}

describe('sendStanza: the raw passthrough', () => {
  // Escaping in text and attributes, a default namespace, a prefixed one, mixed content.
  const payload =
    "<x xmlns='urn:example:x' a='1 &amp; &lt;2&gt; &quot;q&quot; &apos;s&apos;'>one <b>two</b> &amp; three<y:z xmlns:y='urn:example:y' y:attr='v'/>\ttail&#13;</x>";

  it('sends payload XML byte for byte and reports the stanza exactly as sent', async () => {
    const text = uniqueText();
    const result = await sendStanza(
      `<message to='alice@localhost/phone' id='raw-1'><body>${text}</body>${payload}</message>`,
    );
    assert.ok(result.__typename === 'SendStanzaSuccess');
    assert.equal(result.result, null);
    const { sent } = result;
    assert.equal(
      sent.xml,
      `<message from='${DOMAIN}' to='alice@localhost/phone' id='raw-1'><body>${text}</body>${payload}</message>`,
    );
    assert.equal(sent.payloads[1]?.xml, payload);
    assert.equal(sent.payloads[1]?.xmlns, 'urn:example:x');
    assert.equal(sent.payloads[1]?.text, 'one  & three\ttail\r');
    const received = await alice.waitFor(messageWithBody(text));
    const x = received.getChild('x', 'urn:example:x')!;
    assert.equal(x.attrs.a, `1 & <2> "q" 's'`);
    assert.equal(x.getChild('b')!.getText(), 'two');
  });

  it('an iq get resolves with its reply; the echoed payload comes back byte for byte', async () => {
    // Nested namespaces as default declarations: XmppServer re-prefixes prefixed names when it
    // routes (`<n:x xmlns:n=…>` arrives as `<x xmlns=…>`), the same XML but not the same bytes.
    const query =
      "<query xmlns='urn:example:echo'><item a='&lt;&amp;&gt;'>v &amp; w <i>it</i> &lt;tail&gt;</item><x xmlns='urn:example:n'><y>z</y></x></query>";
    const result = await sendStanza(`<iq type='get' to='alice@localhost/phone' id='raw-iq-1'>${query}</iq>`);
    assert.ok(result.__typename === 'SendStanzaSuccess');
    assert.equal(result.sent.__typename, 'Iq');
    const reply = result.result;
    assert.ok(reply?.__typename === 'Iq');
    assert.equal(reply.iqType, 'RESULT');
    assert.equal(reply.id, 'raw-iq-1');
    assert.equal(reply.payload?.xml, query);
  });

  it('an iq error reply is the StanzaErrorReply member', async () => {
    const result = await sendStanza(
      "<iq type='get' to='alice@localhost/offline'><query xmlns='urn:example:echo'/></iq>",
    );
    assert.ok(result.__typename === 'StanzaErrorReply');
    assert.equal(result.condition, 'service-unavailable');
  });

  it('an iq result that answers nothing is refused', async () => {
    const result = await sendStanza(`<iq type='result' to='alice@localhost/phone' id='${uniqueText()}'/>`);
    assert.ok(result.__typename === 'Refused');
    assert.equal(result.kind, 'NO_PENDING_IQ');
    assert.equal(result.field, 'id');
  });
});

describe('sendStanza applies exactly the /rest rules', () => {
  const cases = [
    '',
    'not xml',
    '<message><body>unclosed</message>',
    '<message/><message/>',
    '<!DOCTYPE m [<!ENTITY x "boom">]><message><body>&x;</body></message>',
    '<?xml-stylesheet href="a.xsl"?><message/>',
    '<message><foo:bar/></message>',
    `<message to='alice@localhost'><body>${'x'.repeat(5000)}</body></message>`,
    '<foo/>',
    "<message xmlns='jabber:server' to='alice@localhost'/>",
    "<message to='alice@@localhost'/>",
    "<message to='alice@localhost' from='@rest.localhost'/>",
    "<message to='alice@localhost' from='bob@localhost'/>",
    "<iq to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>",
    "<iq type='get' to='localhost'/>",
    "<iq type='set' to='localhost'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>",
  ];
  for (const xml of cases) {
    it(`same refusal as POST /rest: ${xml.slice(0, 60) || '(empty)'}`, async () => {
      const viaRest = await rest(gateway, { body: xml, headers: { Accept: 'application/json' } });
      const restError = (JSON.parse(viaRest.body) as { error: { condition: string; text: string } }).error;
      const result = await sendStanza(xml);
      assert.ok(result.__typename === 'InvalidInput', `${result.__typename} for ${xml}`);
      assert.equal(result.condition, restError.condition);
      assert.equal(result.message, restError.text);
      assert.ok(result.field, 'names the field at fault');
    });
  }
});
