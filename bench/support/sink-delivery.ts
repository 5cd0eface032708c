import type { Element } from 'ltx';
import type { BenchContext } from './context.ts';
import { countArrivals } from './raw-component.ts';
import { runLoad, summarise, type Summary } from './stats.ts';

/**
 * Messages measured end to end, from the send to their arrival at the sink component: the raw
 * component's baseline, and any face of the gateway through `send`.
 */
export async function rawMessages(ctx: BenchContext, total: number, concurrency: number): Promise<Summary> {
  // `concurrency` senders, each waiting for its message to arrive before the next: the same
  // shape as that many HTTP clients, so that latencies compare.
  const waiting = new Map<string, () => void>();
  const tag = `raw-${Date.now()}-${concurrency}`;
  const off = ctx.sink.onStanza((stanza: Element) => {
    const done = stanza.attrs.id?.startsWith(tag) ? waiting.get(stanza.attrs.id) : undefined;
    if (done) {
      waiting.delete(stanza.attrs.id!);
      done();
    }
  });
  try {
    return await runLoad(total, concurrency, async (i) => {
      const id = `${tag}-${i}`;
      const arrived = new Promise<void>((resolve) => waiting.set(id, resolve));
      await ctx.raw.entity.write(
        `<message from='raw.localhost' to='sink.localhost' id='${id}'><body>m${i}</body></message>`,
      );
      await arrived;
    });
  } finally {
    off();
  }
}

/** `send(id, i)` sends message `i` with that id to sink.localhost through the gateway. */
export async function gatewayMessages(
  ctx: BenchContext,
  total: number,
  concurrency: number,
  send: (id: string, i: number) => Promise<void>,
): Promise<Summary> {
  const tag = `gw-${Date.now()}-${concurrency}`;
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const arrived = countArrivals(
    ctx.sink,
    (stanza: Element) => {
      const t0 = stanza.attrs.id?.startsWith(tag) ? sent.get(stanza.attrs.id) : undefined;
      if (t0 !== undefined) latencies.push(performance.now() - t0);
      return t0 !== undefined;
    },
    total,
  );
  const started = performance.now();
  await runLoad(total, concurrency, async (i) => {
    const id = `${tag}-${i}`;
    sent.set(id, performance.now());
    await send(id, i);
  });
  await arrived;
  return summarise(latencies, (performance.now() - started) / 1000);
}
