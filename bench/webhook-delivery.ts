// Webhook delivery end to end: XMPP clients → Prosody → gateway → local HTTP receiver, with the
// delivery log on real Postgres (and once on the embedded PGlite), beside the ceiling measured
// in the same run (the same stanzas reaching the gateway's inbound bus, no webhook).
//
//   npx tsx bench/webhook-delivery.ts [senders=8] [messages per sender=400]
import type { DeliveryEvent } from '../src/webhooks/index.ts';
import { startGateway } from '../test/support/gateway.ts';
import { createTestDatabase } from '../test/support/postgres.ts';
import { startProsody } from '../test/support/prosody.ts';
import { startReceiver } from '../test/support/receiver.ts';
import { startWebhookGateway } from '../test/support/webhook-gateway.ts';
import { connectUser, type XmppUser } from '../test/support/xmpp-user.ts';

const senders = Number(process.argv[2] ?? 8);
const perSender = Number(process.argv[3] ?? 400);
const total = senders * perSender;
const users = Object.fromEntries(Array.from({ length: senders }, (_, i) => [`u${i}`, 'pw']));
const prosody = await startProsody({ users });
const receiver = await startReceiver(() => ({ status: 202 }));
const clients: XmppUser[] = await Promise.all(Object.keys(users).map((name) => connectUser(prosody, name, 'pw', 'bench')));

async function blast(tag: string): Promise<number> {
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      for (let i = 0; i < perSender; i += 1) {
        await client.sendXml(`<message to='bot@rest.localhost' id='${tag}-${c}-${i}' type='chat'><body>bench ${i}</body></message>`);
      }
    }),
  );
  return started;
}

function report(name: string, started: number, finished: number): void {
  const seconds = (finished - started) / 1000;
  process.stdout.write(`${name.padEnd(44)} ${total} in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} /s\n`);
}

// 1. Ceiling: the stanzas reach the gateway's inbound bus; no webhook, no database.
{
  const gateway = await startGateway(prosody);
  let seen = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  gateway.app.core.inbound.subscribe(() => {
    seen += 1;
    if (seen === total) done();
  });
  const started = await blast('ceiling');
  await all;
  report('inbound bus only (no webhook)', started, performance.now());
  await gateway.stop();
}

async function webhookRun(name: string, databaseUrl: string | undefined): Promise<void> {
  const gateway = await startWebhookGateway(prosody, receiver.url, databaseUrl, { WEBHOOK_CONCURRENCY: '64' });
  const finals: DeliveryEvent[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const events = gateway.app.webhooks!.log.subscribe();
  void (async () => {
    for await (const event of events) {
      if (event.delivery.status === 'pending') continue;
      finals.push(event);
      if (finals.length === total) done();
    }
  })();
  const started = await blast(name.replace(/\W/g, ''));
  await all;
  const finished = performance.now();
  report(name, started, finished);
  // Where the time goes, per delivery (means, ms): accept → POST starts (log row + lane), the
  // HTTP exchange, POST end → final (reply, log, event).
  let waiting = 0;
  let http = 0;
  let after = 0;
  for (const { delivery, attempt } of finals) {
    if (!attempt) continue;
    waiting += attempt.startedAt.getTime() - delivery.createdAt.getTime();
    http += attempt.durationMs;
    after += delivery.updatedAt.getTime() - attempt.startedAt.getTime() - attempt.durationMs;
  }
  const n = finals.length;
  process.stdout.write(
    `   per delivery: accept→POST ${(waiting / n).toFixed(1)} ms, HTTP ${(http / n).toFixed(1)} ms, after ${(after / n).toFixed(1)} ms; ` +
      `log writes ${JSON.stringify(gateway.app.webhooks!.status().database.bufferedWrites)} still buffered\n`,
  );
  await events.return?.();
  await gateway.stop();
}

const database = await createTestDatabase();
try {
  await webhookRun('webhook + log on Postgres', database.url);
  await webhookRun('webhook + log on embedded PGlite', undefined);
} finally {
  for (const client of clients) await client.stop();
  await receiver.close();
  await prosody.dispose();
  await database.drop();
}
process.exit(0);
