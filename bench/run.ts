import { startProsody } from '../src/demo/local-prosody.ts';
import { runOnSupportedNode } from '../src/demo/supported-node.ts';
import { ejabberdSection } from './sections/ejabberd.ts';
import { FAN_OUT_DOMAIN, FAN_OUT_SECRET, fanOutSection } from './sections/fan-out.ts';
import { graphqlSection } from './sections/graphql.ts';
import { MEMORY_DOMAIN, MEMORY_SECRET, memorySection } from './sections/memory.ts';
import { restDeliverySection } from './sections/rest-delivery.ts';
import { restSection } from './sections/rest.ts';
import { webhookSection } from './sections/webhooks.ts';
import type { BenchContext, BenchSection } from './support/context.ts';
import {
  PROCESS_TOKEN,
  type GatewayProcess,
  type GatewayProcessOptions,
  startGatewayProcess,
} from '../test/support/gateway-process.ts';
import { connectRaw } from './support/raw-component.ts';

/**
 * `npm run bench`: a private Prosody on loopback, the gateway as its own process (as `npm start`
 * runs it), and each section's figures beside the raw component's, measured in the same run.
 * Everything is bounded in count; everything started here is stopped here.
 * `npm run bench -- webhooks` runs the sections whose name starts with the argument.
 */
await runOnSupportedNode('npm run bench');

const sections: BenchSection[] = [
  restSection,
  restDeliverySection,
  graphqlSection,
  webhookSection,
  fanOutSection,
  memorySection,
  ejabberdSection,
];
const only = process.argv[2];
const SENDER_PASSWORD = 'bench-pw';
const senders = Array.from({ length: 16 }, (_, i) => `sender${i}`);

const prosody = await startProsody({
  users: Object.fromEntries(senders.map((name) => [name, SENDER_PASSWORD])),
  extraComponents: {
    'raw.localhost': 'raw-secret',
    'sink.localhost': 'sink-secret',
    'hook.localhost': 'hook-secret',
    // BENCH_BASELINE_DIR's gateway in the /rest delivery section.
    'base.localhost': 'base-secret',
    [FAN_OUT_DOMAIN]: FAN_OUT_SECRET,
    [MEMORY_DOMAIN]: MEMORY_SECRET,
  },
});
const started: GatewayProcess[] = [];
const startGateway = async (env: Record<string, string>, cwd?: string, options?: GatewayProcessOptions) => {
  const gateway = await startGatewayProcess({ XMPP_SERVICE: prosody.componentService, ...env }, cwd, options);
  started.push(gateway);
  return gateway;
};
try {
  const gateway = await startGateway({
    XMPP_DOMAIN: prosody.componentDomain,
    XMPP_SECRET: prosody.componentSecret,
    // The /graphql section floods one subscriber as fast as the raw link writes, to measure
    // delivery, not the overflow rule: the default 1,000 would end its subscription.
    SUBSCRIPTION_BUFFER_MAX: '1000000',
  });
  const ctx: BenchContext = {
    prosody,
    gatewayUrl: gateway.url,
    token: PROCESS_TOKEN,
    raw: await connectRaw(prosody.componentServices['raw.localhost']!, 'raw.localhost', 'raw-secret'),
    sink: await connectRaw(prosody.componentServices['sink.localhost']!, 'sink.localhost', 'sink-secret'),
    senders,
    senderPassword: SENDER_PASSWORD,
    startGateway,
    scale: Number(process.env.BENCH_SCALE ?? 1),
  };
  console.log(`Stanza Gateway benchmark — ${new Date().toISOString()} — node ${process.version}, Prosody on loopback`);
  for (const section of sections) {
    if (only && !section.name.startsWith(only)) continue;
    console.log(`\n${section.name}`);
    for (const row of await section.run(ctx)) console.log(`  ${row}`);
  }
  await ctx.raw.stop();
  await ctx.sink.stop();
} finally {
  for (const gateway of started) await gateway.stop();
  await prosody.dispose();
}
