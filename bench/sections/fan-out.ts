import { measureFairness, type FairnessFigures } from '../../test/support/fan-out-fairness.ts';
import { connectUser } from '../../test/support/xmpp-user.ts';
import type { BenchContext, BenchSection } from '../support/context.ts';

/**
 * Fan-out fairness: 20,000 graphql-ws subscriptions (in a process of their own) and a burst of
 * inbound stanzas to all of them, while 4 other callers send iq pings through /rest. The
 * figure that matters is those callers' p99 during the burst (goal: under 50 ms); with
 * BENCH_BASELINE_DIR, the other checkout's gateway runs the same workload.
 */
export const FAN_OUT_DOMAIN = 'fanout.localhost';
export const FAN_OUT_SECRET = 'fanout-secret';

async function run(ctx: BenchContext, subscriptions: number, burst: number, cwd?: string): Promise<FairnessFigures> {
  const gateway = await ctx.startGateway(
    {
      XMPP_DOMAIN: FAN_OUT_DOMAIN,
      XMPP_SECRET: FAN_OUT_SECRET,
      SUBSCRIPTIONS_MAX: String(subscriptions),
      SUBSCRIPTIONS_PER_TOKEN_MAX: String(subscriptions),
    },
    cwd,
  );
  const sender = await connectUser(ctx.prosody, ctx.senders[0]!, ctx.senderPassword, `fanout-${Date.now()}`);
  try {
    return await measureFairness({
      gatewayUrl: gateway.url,
      token: ctx.token,
      sender,
      to: `bot@${FAN_OUT_DOMAIN}`,
      subscriptions,
      sockets: 40,
      burst,
      timeoutMs: 600_000,
    });
  } finally {
    await sender.stop();
    // One connection per component domain: the next gateway takes it over.
    await gateway.stop();
  }
}

function rows(name: string, figures: FairnessFigures, subscriptions: number, burst: number): string[] {
  const { idle, duringBurst, deliverySeconds, delivered } = figures;
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  return [
    `${name}: ${subscriptions} subscriptions × ${burst} stanzas delivered in ${deliverySeconds.toFixed(2)} s ` +
      `(${(delivered / deliverySeconds).toFixed(0)}/s)`,
    `${name}: other callers' iq p50 ${ms(idle.p50)} p99 ${ms(idle.p99)} idle; during the burst ` +
      `p50 ${ms(duringBurst.p50)} p99 ${ms(duringBurst.p99)} max ${ms(duringBurst.max)} (${duringBurst.count} iqs)`,
  ];
}

export const fanOutSection: BenchSection = {
  name: 'fan-out',
  async run(ctx) {
    const subscriptions = Math.round(20_000 * ctx.scale);
    const burst = 20;
    const result = rows('gateway', await run(ctx, subscriptions, burst), subscriptions, burst);
    const baselineDir = process.env.BENCH_BASELINE_DIR;
    if (baselineDir) {
      result.push(...rows('baseline', await run(ctx, subscriptions, burst, baselineDir), subscriptions, burst));
    }
    return result;
  },
};
