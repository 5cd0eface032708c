import { Agent, request } from 'node:http';
import { startSwarm } from './subscriber-swarm.ts';
import type { XmppUser } from './xmpp-user.ts';

/**
 * Fan-out fairness, measured as a caller sees it: while the gateway hands a burst of inbound
 * stanzas to many subscriptions, other callers keep sending iq pings through /rest; their
 * latencies during the burst are what the fan-out costs everybody else. Shared by the test and
 * `npm run bench`.
 */
export interface FairnessOptions {
  gatewayUrl: string;
  token: string;
  /** Sends the burst: messages to `to`, written in one go (one TCP read at the gateway). */
  sender: XmppUser;
  to: string;
  subscriptions: number;
  sockets: number;
  burst: number;
  /** Callers pinging at once. */
  callers?: number;
  timeoutMs?: number;
}

export interface FairnessFigures {
  /** iq round trips of the other callers while nothing else happens. */
  idle: Latencies;
  /** iq round trips that started while the burst was being delivered. */
  duringBurst: Latencies;
  /** From the burst's write until every subscription has every stanza. */
  deliverySeconds: number;
  delivered: number;
}

export interface Latencies {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

function latencies(samples: number[]): Latencies {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

const PING = "<iq type='get' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>";

function pinger(url: string, token: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const { hostname, port } = new URL(url);
  const ping = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        {
          agent,
          hostname,
          port,
          path: '/rest',
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/xmpp+xml' },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`ping: ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(PING);
    });
  return { ping, close: () => agent.destroy() };
}

/** Pings from `callers` loops until stop() is called; each sample is [start, duration]. */
function probe(url: string, token: string, callers: number) {
  const { ping, close } = pinger(url, token);
  const samples: [number, number][] = [];
  let running = true;
  const loops = Array.from({ length: callers }, async () => {
    while (running) {
      const started = performance.now();
      // A failed ping (a reset keep-alive socket) still took this long for its caller.
      await ping().catch(() => undefined);
      samples.push([started, performance.now() - started]);
    }
  });
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
      close();
    },
  };
}

/** Open `stanzas` subscriptions; -1 when the gateway did not answer (busy setting them up). */
export async function subscriptionsOpen(url: string, token: string): Promise<number> {
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Connection: 'close' },
      body: JSON.stringify({ query: '{ status { subscriptions } }' }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { data?: { status: { subscriptions: number } } };
    return body.data?.status.subscriptions ?? -1;
  } catch {
    return -1;
  }
}

async function until(condition: () => Promise<boolean>, deadline: number, what: string): Promise<void> {
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function measureFairness(options: FairnessOptions): Promise<FairnessFigures> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  let deadline = Date.now() + timeoutMs;
  const callers = options.callers ?? 4;
  const swarm = await startSwarm({
    url: options.gatewayUrl,
    token: options.token,
    sockets: options.sockets,
    perSocket: Math.ceil(options.subscriptions / options.sockets),
    query: `subscription { stanzas(filter: { kinds: [MESSAGE], to: ["${options.to}"] }) { id } }`,
  });
  try {
    const total = options.sockets * Math.ceil(options.subscriptions / options.sockets);
    await until(
      async () => (await subscriptionsOpen(options.gatewayUrl, options.token)) >= total,
      deadline,
      `${total} subscriptions`,
    );
    const idleProbe = probe(options.gatewayUrl, options.token, callers);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await idleProbe.stop();

    const busyProbe = probe(options.gatewayUrl, options.token, callers);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const messages = Array.from(
      { length: options.burst },
      (_, i) => `<message to='${options.to}' id='burst-${i}'><body>burst ${i}</body></message>`,
    );
    const started = performance.now();
    deadline = Date.now() + timeoutMs;
    await options.sender.sendXml(messages.join(''));
    const expected = total * options.burst;
    let delivered = 0;
    await until(
      async () => {
        const { events, errors } = await swarm.count();
        if (errors > 0) throw new Error(`${errors} subscriptions failed during the burst`);
        delivered = events;
        return events >= expected;
      },
      deadline,
      `${expected} deliveries (${delivered} so far)`,
    );
    const finished = performance.now();
    await busyProbe.stop();
    return {
      idle: latencies(idleProbe.samples.map(([, ms]) => ms)),
      duringBurst: latencies(busyProbe.samples.filter(([at]) => at >= started && at <= finished).map(([, ms]) => ms)),
      deliverySeconds: (finished - started) / 1000,
      delivered,
    };
  } finally {
    await swarm.stop();
  }
}
