import { randomBytes } from 'node:crypto';
import type { Element } from 'ltx';
import { ejabberdAvailable, startEjabberd } from '../../src/demo/local-ejabberd.ts';
import type { BenchContext, BenchSection } from '../support/context.ts';
import { createPoster } from '../support/http-load.ts';
import { connectRaw, countArrivals, type RawComponent } from '../support/raw-component.ts';
import { gatewayMessages, rawMessages } from '../support/sink-delivery.ts';
import { formatRow, runLoad, summarise, type Summary } from '../support/stats.ts';

/**
 * The gateway on ejabberd, beside ejabberd's own HTTP API: messages end to end to a sink
 * component, from a raw component, from /rest, and from mod_http_api's `send_message` with an
 * OAuth token (its listener's backlog raised to 1024: the default 5 gives multi-second tails).
 */
const CONCURRENCY = 64;
const ADMIN = 'apiadmin';

/** send_message sets no id: its messages are recognised at the sink by their body. */
async function apiMessages(
  sink: RawComponent,
  apiUrl: string,
  token: string,
  total: number,
  concurrency: number,
): Promise<Summary> {
  const tag = `api-${Date.now()}`;
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const arrived = countArrivals(
    sink,
    (stanza: Element) => {
      const body = stanza.getChildText('body') ?? '';
      const t0 = body.startsWith(tag) ? sent.get(body) : undefined;
      if (t0 !== undefined) latencies.push(performance.now() - t0);
      return t0 !== undefined;
    },
    total,
  );
  const poster = createPoster(apiUrl, concurrency);
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const started = performance.now();
  await runLoad(total, concurrency, async (i) => {
    const body = `${tag}-${i}`;
    sent.set(body, performance.now());
    const message = { type: 'normal', from: `${ADMIN}@localhost`, to: 'sink.localhost', subject: '', body };
    const response = await poster.post('/api/send_message', headers, JSON.stringify(message));
    if (response.status !== 200) throw new Error(`send_message answered ${response.status}: ${response.body}`);
  });
  await arrived;
  poster.close();
  return summarise(latencies, (performance.now() - started) / 1000);
}

export const ejabberdSection: BenchSection = {
  name: 'ejabberd',
  async run(ctx: BenchContext) {
    if (!(await ejabberdAvailable())) {
      return ['skipped: needs ejabberd (apt-get install -y ejabberd erlang-p1-oauth2) and root'];
    }
    const secret = randomBytes(12).toString('hex');
    const ejabberd = await startEjabberd({
      users: { [ADMIN]: randomBytes(12).toString('hex') },
      componentSecret: secret,
      extraComponents: { 'raw.localhost': 'raw-secret', 'sink.localhost': 'sink-secret' },
    });
    const components: RawComponent[] = [];
    try {
      const issued = await ejabberd.ctl('oauth_issue_token', `${ADMIN}@localhost`, '3600', 'ejabberd:admin');
      const token = issued.trim().split(/\s+/)[0]!;
      const gateway = await ctx.startGateway({
        XMPP_SERVICE: ejabberd.componentService,
        XMPP_DOMAIN: ejabberd.componentDomain,
        XMPP_SECRET: secret,
      });
      const raw = await connectRaw(ejabberd.componentServices['raw.localhost']!, 'raw.localhost', 'raw-secret');
      const sink = await connectRaw(ejabberd.componentServices['sink.localhost']!, 'sink.localhost', 'sink-secret');
      components.push(raw, sink);
      const local: BenchContext = { ...ctx, raw, sink, gatewayUrl: gateway.url };

      const messages = Math.round(10_000 * ctx.scale);
      const rawMsg = await rawMessages(local, messages, CONCURRENCY);
      const poster = createPoster(gateway.url, CONCURRENCY);
      const headers = { Authorization: `Bearer ${ctx.token}`, 'Content-Type': 'application/xmpp+xml' };
      const restMsg = await gatewayMessages(local, messages, CONCURRENCY, async (id, i) => {
        const body = `<message to='sink.localhost' id='${id}'><body>m${i}</body></message>`;
        const response = await poster.post('/rest', headers, body);
        if (response.status !== 202) throw new Error(`POST /rest answered ${response.status}: ${response.body}`);
      });
      poster.close();
      const apiMsg = await apiMessages(sink, ejabberd.httpApiUrl, token, messages, CONCURRENCY);
      await gateway.stop();
      return [
        formatRow(`raw component: message × ${CONCURRENCY} → sink`, rawMsg),
        formatRow(`/rest POST message × ${CONCURRENCY} → sink`, restMsg, rawMsg),
        formatRow(`ejabberd API send_message × ${CONCURRENCY} → sink`, apiMsg, rawMsg),
        `/rest ÷ ejabberd's send_message: ${(restMsg.perSecond / apiMsg.perSecond).toFixed(2)}× the rate`,
      ];
    } finally {
      for (const component of components) await component.stop().catch(() => {});
      await ejabberd.dispose();
    }
  },
};
