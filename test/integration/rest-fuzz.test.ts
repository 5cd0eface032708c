import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { rest } from '../support/rest-client.ts';

/**
 * A fuzz loop of random, truncated and mutated bodies through POST /rest. Whatever comes in,
 * the answer is one of the documented statuses (never a 500 or a hang), the process lives on,
 * and — what matters most — nothing that passed the codec made Prosody close the component
 * stream (it does that for a bad `from` or bad XML, failing every iq in flight).
 */
let prosody: XmppServer;
let gateway: TestGateway;

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  gateway = await startGateway(prosody, { REST_MAX_BODY_BYTES: '2048' });
});

after(async () => {
  if (process.env.FUZZ_DUMP_LOG) console.log(await prosody.log());
  await gateway?.stop();
  await prosody?.dispose();
});

// Deterministic: a failure names its seed and iteration and can be replayed.
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  "<message to='alice@localhost/x' type='chat' id='a1'><body>hi &amp; bye</body><x xmlns='urn:x' a='&lt;'>t<b/>u</x></message>",
  "<presence to='alice@localhost' from='bot@rest.localhost/r'><status>s</status><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/></presence>",
  "<iq type='get' to='localhost' id='i1'><ping xmlns='urn:xmpp:ping'/></iq>",
  "<iq type='set' to='alice@localhost/x'><query xmlns='jabber:iq:roster'><item jid='b@localhost'/></query></iq>",
  "<?xml version='1.0'?><message xmlns='jabber:client' xml:lang='en' to='alice@localhost'><body>é ü 😀</body></message>",
];
const ALPHABET = `<>/='"&;:@ !?-[]#xmlnsiqmessagepresence\u0000\u0001\u00e9\ud83d\ude00\n\t\r\u0085\u2028\ufeff\ufffd\u00a0\u01c5]]>\u0300`;

function mutate(random: () => number, input: string): string {
  const chars = [...input];
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i += 1) {
    const at = Math.floor(random() * (chars.length + 1));
    const char = ALPHABET[Math.floor(random() * ALPHABET.length)]!;
    const op = random();
    if (op < 0.33) chars.splice(at, 1);
    else if (op < 0.66) chars.splice(at, 0, char);
    else chars[at] = char;
  }
  return chars.join('');
}

function body(random: () => number): string | Uint8Array {
  const seed = SEEDS[Math.floor(random() * SEEDS.length)]!;
  const kind = random();
  if (kind < 0.2) {
    const bytes = new Uint8Array(Math.floor(random() * 600));
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(random() * 256);
    return bytes;
  }
  if (kind < 0.45) return seed.slice(0, Math.floor(random() * seed.length));
  if (kind < 0.9) return mutate(random, seed);
  return seed.repeat(1 + Math.floor(random() * 20));
}

const ALLOWED = new Set([200, 202, 400, 403, 409, 413, 422, 504]);

it('survives random, truncated and mutated bodies with documented answers only', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 100_000);
  const random = prng(seed);
  const iterations = Number(process.env.FUZZ_ITERATIONS ?? 800);
  const seen = new Map<number, number>();
  let next = 0;
  const worker = async () => {
    while (next < iterations) {
      const iteration = next;
      next += 1;
      const payload = body(random);
      const response = await rest(gateway, {
        body: payload,
        headers: { 'Prosody-Rest-Timeout': '0.3' },
        signal: AbortSignal.timeout(5000),
      });
      seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
      assert.ok(
        ALLOWED.has(response.status),
        `seed ${seed} iteration ${iteration}: status ${response.status} for ` +
          `${JSON.stringify(typeof payload === 'string' ? payload : [...payload])}: ${response.body}`,
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));

  // The mix shows the loop exercised both refusals and deliveries.
  assert.ok((seen.get(400) ?? 0) > 0, `no 400 among ${JSON.stringify([...seen])}`);
  assert.ok((seen.get(202) ?? 0) + (seen.get(200) ?? 0) > 0, `nothing accepted among ${JSON.stringify([...seen])}`);

  const status = gateway.app.core.status();
  assert.equal(status.link.state, 'online');
  assert.equal(status.link.connects, 1, 'Prosody never closed the component stream');
  const ping = await rest(gateway, { body: "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>" });
  assert.equal(ping.status, 200);
});
