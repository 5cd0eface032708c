import type { Prosody } from '../../test/support/prosody.ts';
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
  /** Scales every section's counts (BENCH_SCALE, default 1). */
  scale: number;
}

export interface BenchSection {
  name: string;
  run(ctx: BenchContext): Promise<string[]>;
}
