import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { measureFairness } from '../support/fan-out-fairness.ts';
import { PROCESS_TOKEN, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * Fan-out never holds the event loop for long: with 20,000 subscriptions and a burst of inbound
 * stanzas to all of them, other callers' iqs keep their latency (README, "Security"). The
 * gateway runs as its own process and the subscribers in another, so that only the gateway's
 * own event loop is measured. `npm run bench -- fan-out` reports the fuller figures.
 */
let prosody: XmppServer;
let gateway: GatewayProcess;
let alice: XmppUser;
const SUBSCRIPTIONS = 20_000;

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  gateway = await startGatewayProcess({
    XMPP_SERVICE: prosody.componentService,
    XMPP_DOMAIN: prosody.componentDomain,
    XMPP_SECRET: prosody.componentSecret,
    SUBSCRIPTIONS_MAX: String(SUBSCRIPTIONS),
    SUBSCRIPTIONS_PER_TOKEN_MAX: String(SUBSCRIPTIONS),
    SHUTDOWN_GRACE_MS: '1000',
  });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
});

after(async () => {
  await alice?.stop();
  await gateway?.stop();
  await prosody?.dispose();
});

it('a burst to 20,000 subscriptions leaves other callers’ iq latency low', async () => {
  const figures = await measureFairness({
    gatewayUrl: gateway.url,
    token: PROCESS_TOKEN,
    sender: alice,
    to: `bot@${prosody.componentDomain}`,
    subscriptions: SUBSCRIPTIONS,
    sockets: 20,
    burst: 10,
  });
  const { idle, duringBurst, deliverySeconds } = figures;
  console.log(
    `fan-out: ${SUBSCRIPTIONS} subscriptions × 10 stanzas delivered in ${deliverySeconds.toFixed(2)} s; ` +
      `iq p50/p99/max idle ${idle.p50.toFixed(1)}/${idle.p99.toFixed(1)}/${idle.max.toFixed(1)} ms, ` +
      `during the burst ${duringBurst.p50.toFixed(1)}/${duringBurst.p99.toFixed(1)}/${duringBurst.max.toFixed(1)} ms ` +
      `(${duringBurst.count} iqs)`,
  );
  assert.ok(duringBurst.count >= 20, `only ${duringBurst.count} iqs ran during the burst`);
  // The goal is 50 ms (bench, on a quiet machine). The bound here must survive a machine shared
  // with other tests, where everything, the delivery included, takes longer: no iq may wait
  // more than a twentieth of the fan-out. Before turns the loop was held for all of it, so the
  // iqs that started meanwhile waited about as long as the whole delivery.
  const bound = Math.max(150, 2 * idle.p99, (deliverySeconds * 1000) / 20);
  assert.ok(duringBurst.p99 < bound, `iq p99 during the burst: ${duringBurst.p99.toFixed(1)} ms (bound ${bound})`);
});
