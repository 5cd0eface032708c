import { type ChildProcess, spawn } from 'node:child_process';
import { startProsody } from '../test/support/prosody.ts';
import { freePort } from '../test/support/ports.ts';
import { graphqlSection } from './sections/graphql.ts';
import { restSection } from './sections/rest.ts';
import type { BenchContext, BenchSection } from './support/context.ts';
import { connectRaw } from './support/raw-component.ts';

/**
 * `npm run bench`: a private Prosody on loopback, the gateway as its own process (as `npm start`
 * runs it), and each section's figures beside the raw component's, measured in the same run.
 * Everything is bounded in count; everything started here is stopped here.
 */
const sections: BenchSection[] = [restSection, graphqlSection];
const TOKEN = 'bench-token-0123456789';

async function startGateway(env: Record<string, string>): Promise<ChildProcess> {
  // BENCH_GATEWAY_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, profiles the gateway.
  const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  const deadline = Date.now() + 20_000;
  // LOG_LEVEL=warn hides the online line: poll readiness through /rest instead.
  for (;;) {
    const response = await fetch(`http://127.0.0.1:${env.HTTP_PORT}/rest`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/xmpp+xml', 'Prosody-Rest-Timeout': '1' },
      body: "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>",
    }).catch(() => undefined);
    if (response?.status === 200) return child;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`gateway did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const prosody = await startProsody({ extraComponents: { 'raw.localhost': 'raw-secret', 'sink.localhost': 'sink-secret' } });
const port = await freePort();
let gateway: ChildProcess | undefined;
try {
  gateway = await startGateway({
    XMPP_SERVICE: prosody.componentService,
    XMPP_DOMAIN: prosody.componentDomain,
    XMPP_SECRET: prosody.componentSecret,
    API_TOKENS: TOKEN,
    HTTP_PORT: String(port),
  });
  const ctx: BenchContext = {
    prosody,
    gatewayUrl: `http://127.0.0.1:${port}`,
    token: TOKEN,
    raw: await connectRaw(prosody.componentService, 'raw.localhost', 'raw-secret'),
    sink: await connectRaw(prosody.componentService, 'sink.localhost', 'sink-secret'),
    scale: Number(process.env.BENCH_SCALE ?? 1),
  };
  console.log(`Stanza Gateway benchmark — ${new Date().toISOString()} — node ${process.version}, Prosody on loopback`);
  for (const section of sections) {
    console.log(`\n${section.name}`);
    for (const row of await section.run(ctx)) console.log(`  ${row}`);
  }
  await ctx.raw.stop();
  await ctx.sink.stop();
} finally {
  gateway?.kill('SIGTERM');
  await prosody.dispose();
}
