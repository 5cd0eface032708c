import type { Prosody } from '../../src/demo/local-prosody.ts';
import type { GatewayProcess, GatewayProcessOptions } from '../../test/support/gateway-process.ts';
import type { RawComponent } from './raw-component.ts';

/** What every benchmark section gets: a private Prosody, the gateway process, two raw components. */
export interface BenchContext {
  prosody: Prosody;
  gatewayUrl: string;
  token: string;
  /** A bare xmpp.js component (raw.localhost): the baseline sender. */
  raw: RawComponent;
  /** A bare component (sink.localhost) that receives what the baseline and the gateway send. */
  sink: RawComponent;
  /** XMPP accounts on the Prosody (all with `senderPassword`), for sections that need clients. */
  senders: string[];
  senderPassword: string;
  /**
   * Another gateway process on this Prosody, with settings of the section's own (its own
   * XMPP_DOMAIN among the Prosody's components: one connection per component domain).
   */
  startGateway(env: Record<string, string>, cwd?: string, options?: GatewayProcessOptions): Promise<GatewayProcess>;
  /** Scales every section's counts (BENCH_SCALE, default 1). */
  scale: number;
}

export interface BenchSection {
  name: string;
  run(ctx: BenchContext): Promise<string[]>;
}
