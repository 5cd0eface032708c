import type { StanzaKind } from '../xmpp/codec/index.ts';

/**
 * What becomes of a stanza handed to the dispatcher, decided from counts and flags alone (no
 * I/O, no clock), so that every case is one line of a unit test:
 *
 * - `schedule`: a delivery in memory (a message or presence joins its sender's lane, an iq goes
 *   at once);
 * - `spill`: a message or presence kept only as a pending row, taken up later by the backlog
 *   (or by the next start, when the gateway is stopping);
 * - `refuse-stopping` / `refuse-full`: an iq answered at once with `shutting-down` or
 *   `webhook-queue-full`: its sender is waiting, and would have given up on an iq held back;
 * - `reject-redelivery`: a redelivered iq past the bound: `redeliver` throws
 *   `webhook-queue-full` to its caller (nobody waits for that iq's answer).
 */
export type Admission = 'schedule' | 'spill' | 'refuse-stopping' | 'refuse-full' | 'reject-redelivery';

export interface AdmissionState {
  kind: StanzaKind;
  /** A redelivery asked for through the log, not a stanza just received. */
  redelivery: boolean;
  /** The gateway is draining: no new attempts. */
  stopping: boolean;
  /** Deliveries held in memory now (those whose outcome is being sent no longer count). */
  held: number;
  /** WEBHOOK_QUEUE_MAX. */
  queueMax: number;
  /** Rows may be waiting in the log that memory has not taken up yet. */
  backlogWaiting: boolean;
  /** The log's database takes writes. */
  databaseUp: boolean;
}

export function admit(state: AdmissionState): Admission {
  const overBound = state.held >= state.queueMax;
  if (state.kind !== 'iq') {
    // Behind rows waiting in the log, a new message waits there too (its sender's order), but
    // not while the database is down: delivering beats ordering against rows it cannot read.
    const behindBacklog = state.backlogWaiting && state.databaseUp;
    return state.stopping || overBound || behindBacklog ? 'spill' : 'schedule';
  }
  // Iqs have no order to keep (no lanes): only the bound and the stop refuse them.
  if (!state.stopping && !overBound) return 'schedule';
  if (state.redelivery && overBound) return 'reject-redelivery';
  return state.stopping ? 'refuse-stopping' : 'refuse-full';
}
