import type { BenchContext, BenchSection } from '../support/context.ts';
import { createPoster } from '../support/http-load.ts';
import type { RawComponent } from '../support/raw-component.ts';
import { gatewayMessages, rawMessages } from '../support/sink-delivery.ts';
import { formatRow, runLoad, type Summary } from '../support/stats.ts';

/**
 * /rest beside the raw link: messages end to end (sender → Prosody → sink component) and iq
 * pings to the server, sequential and concurrent.
 */
const CONCURRENCY = 64;

/** The same stanzas in XML and in mod_rest's JSON mapping. */
const bodies = {
  xml: {
    message: (id: string, i: number) => `<message to='sink.localhost' id='${id}'><body>m${i}</body></message>`,
    ping: "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>",
  },
  json: {
    message: (id: string, i: number) => JSON.stringify({ to: 'sink.localhost', id, body: `m${i}` }),
    ping: JSON.stringify({ to: 'localhost', ping: true }),
  },
};
const contentTypes = { xml: 'application/xmpp+xml', json: 'application/json' };
type Format = keyof typeof bodies;

/** /rest messages end to end: also the /graphql section's yardstick for sendMessage. */
export async function restMessages(ctx: BenchContext, total: number, format: Format = 'xml'): Promise<Summary> {
  const poster = createPoster(ctx.gatewayUrl, CONCURRENCY);
  const headers = { Authorization: `Bearer ${ctx.token}`, 'Content-Type': contentTypes[format] };
  const summary = await gatewayMessages(ctx, total, CONCURRENCY, async (id, i) => {
    const response = await poster.post('/rest', headers, bodies[format].message(id, i));
    if (response.status !== 202) throw new Error(`POST /rest answered ${response.status}: ${response.body}`);
  });
  poster.close();
  return summary;
}

async function rawPings(raw: RawComponent, total: number, concurrency: number): Promise<Summary> {
  const waiting = new Map<string, () => void>();
  const off = raw.onStanza((stanza) => {
    const done = stanza.attrs.id ? waiting.get(stanza.attrs.id) : undefined;
    if (done) {
      waiting.delete(stanza.attrs.id!);
      done();
    }
  });
  const tag = `ping-${concurrency}-${Date.now()}`;
  try {
    return await runLoad(total, concurrency, (i) => {
      const id = `${tag}-${i}`;
      const reply = new Promise<void>((resolve) => waiting.set(id, resolve));
      void raw.entity.write(
        `<iq type='get' from='raw.localhost' to='localhost' id='${id}'><ping xmlns='urn:xmpp:ping'/></iq>`,
      );
      return reply;
    });
  } finally {
    off();
  }
}

async function restPings(
  ctx: BenchContext,
  total: number,
  concurrency: number,
  format: Format = 'xml',
): Promise<Summary> {
  const poster = createPoster(ctx.gatewayUrl, concurrency);
  const headers = { Authorization: `Bearer ${ctx.token}`, 'Content-Type': contentTypes[format] };
  const summary = await runLoad(total, concurrency, async () => {
    const response = await poster.post('/rest', headers, bodies[format].ping);
    if (response.status !== 200) throw new Error(`POST /rest answered ${response.status}: ${response.body}`);
  });
  poster.close();
  return summary;
}

export const restSection: BenchSection = {
  name: '/rest',
  async run(ctx) {
    const messages = Math.round(10_000 * ctx.scale);
    const pings = Math.round(5_000 * ctx.scale);
    const rawMsg = await rawMessages(ctx, messages, CONCURRENCY);
    const restMsg = await restMessages(ctx, messages);
    const rawSeq = await rawPings(ctx.raw, Math.round(pings / 4), 1);
    const restSeq = await restPings(ctx, Math.round(pings / 4), 1);
    const rawConc = await rawPings(ctx.raw, pings, CONCURRENCY);
    const restConc = await restPings(ctx, pings, CONCURRENCY);
    const jsonMsg = await restMessages(ctx, messages, 'json');
    const jsonConc = await restPings(ctx, pings, CONCURRENCY, 'json');
    return [
      formatRow(`raw component: message × ${CONCURRENCY} → sink (end to end)`, rawMsg),
      formatRow(`/rest POST message × ${CONCURRENCY} → sink (end to end)`, restMsg, rawMsg),
      formatRow('raw component: iq ping, sequential', rawSeq),
      formatRow('/rest iq ping, sequential', restSeq, rawSeq),
      formatRow(`raw component: iq ping × ${CONCURRENCY}`, rawConc),
      formatRow(`/rest iq ping × ${CONCURRENCY}`, restConc, rawConc),
      formatRow(`/rest POST message, JSON × ${CONCURRENCY} → sink (end to end)`, jsonMsg, rawMsg),
      formatRow(`/rest iq ping, JSON in and out × ${CONCURRENCY}`, jsonConc, rawConc),
    ];
  },
};
