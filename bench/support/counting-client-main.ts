import { createInterface } from 'node:readline';
import { client, xml } from '@xmpp/client';
import type { Element } from 'ltx';

// The child of counting-client.ts: argv service, username, password; the protocol is there.
const [service, username, password] = process.argv.slice(2) as [string, string, string];
const entity = client({ service, domain: 'localhost', username, password, resource: `count-${process.pid}` });
entity.on('error', () => {});
const expected = new Map<string, { count: number; seen: Set<string> }>();
entity.on('stanza', (stanza: Element) => {
  const id = stanza.attrs.id;
  if (stanza.name !== 'message' || !id) return;
  for (const [tag, entry] of expected) {
    if (!id.startsWith(tag)) continue;
    entry.seen.add(id);
    if (entry.seen.size === entry.count) {
      expected.delete(tag);
      process.stdout.write(`done ${tag} ${performance.timeOrigin + performance.now()}\n`);
    }
  }
});
await entity.start();
await entity.send(xml('presence'));
process.stdout.write('online\n');
createInterface({ input: process.stdin })
  .on('line', (line) => {
    const [word, tag, count] = line.split(' ');
    if (word !== 'expect' || !tag) return;
    expected.set(tag, { count: Number(count), seen: new Set() });
    process.stdout.write(`expecting ${tag}\n`);
  })
  .on('close', () => {
    entity.reconnect.stop();
    void entity.stop().finally(() => process.exit(0));
  });
