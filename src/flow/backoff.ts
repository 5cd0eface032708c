/**
 * Delays between tries (XMPP reconnects, webhook retries, delivery log re-reads): exponential
 * from `minMs`, capped at `maxMs`, with "equal jitter" (half fixed, half random) so that many
 * gateways restarted together do not retry in lockstep, while no delay is ever shorter than half
 * the step. xmpp.js's own reconnect waits a fixed 1 s.
 */
export interface BackoffPolicy {
  minMs: number;
  maxMs: number;
}

export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const step = Math.min(policy.maxMs, policy.minMs * 2 ** exponent);
  return Math.round(step / 2 + random() * (step / 2));
}
