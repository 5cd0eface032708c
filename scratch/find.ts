import { Component } from '@xmpp/component-core';
import { parseStanza } from '../src/xmpp/codec/index.ts';
const SEEDS = [
  "<message to='alice@localhost/x' type='chat' id='a1'><body>hi &amp; bye</body><x xmlns='urn:x' a='&lt;'>t<b/>u</x></message>",
  "<presence to='alice@localhost' from='bot@rest.localhost/r'><status>s</status><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/></presence>",
  "<iq type='get' to='localhost' id='i1'><ping xmlns='urn:xmpp:ping'/></iq>",
  "<iq type='set' to='alice@localhost/x'><query xmlns='jabber:iq:roster'><item jid='b@localhost'/></query></iq>",
  "<?xml version='1.0'?><message xmlns='jabber:client' xml:lang='en' to='alice@localhost'><body>é ü 😀</body></message>",
];
const ALPHABET = `<>/='"&;:@ !?-[]#xmlnsiqmessagepresence\u0000\u0001\u00e9\ud83d\ude00\n\t\r\u0085\u2028\ufeff\ufffd\u00a0\u01c5]]>\u0300\u200b\uffef`;
let state = Number(process.env.S ?? 1);
const random = () => { state = (state + 0x6d2b79f5) >>> 0; let t = state; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
function mutate(input: string) { const chars = [...input]; const edits = 1 + Math.floor(random() * 4); for (let i = 0; i < edits; i++) { const at = Math.floor(random() * (chars.length + 1)); const c = ALPHABET[Math.floor(random() * ALPHABET.length)]!; const op = random(); if (op < 0.33) chars.splice(at, 1); else if (op < 0.66) chars.splice(at, 0, c); else chars[at] = c; } return chars.join(''); }
async function connect() {
  const c = new Component({ service: 'xmpp://127.0.0.1:25347', domain: 'rest.localhost' });
  c.on('open', (h: any) => c.authenticate(h.attrs.id, 's3cret'));
  c.on('error', () => {});
  await c.start();
  return c;
}
let c = await connect();
let found = 0;
for (let i = 0; i < 20000 && found < 8; i++) {
  const body = Buffer.from(mutate(SEEDS[Math.floor(random() * SEEDS.length)]!), 'utf8');
  let xml: string;
  try { xml = parseStanza(body, { domain: 'rest.localhost', maxBytes: 4096 }).toXml(); } catch { continue; }
  await c.write(xml);
  // a ping to self to detect closure
  await c.write(`<iq type='get' from='rest.localhost' to='localhost' id='chk${i}'><ping xmlns='urn:xmpp:ping'/></iq>`);
  const ok = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 1000);
    const on = (el: any) => { if (el.attrs.id === `chk${i}`) { clearTimeout(t); c.off('stanza', on); resolve(true); } };
    c.on('stanza', on);
  });
  if (!ok) { found++; console.log('OFFENDER', JSON.stringify(xml)); c.socket?.destroy(); await new Promise(r => setTimeout(r, 300)); c = await connect(); }
}
process.exit(0);
