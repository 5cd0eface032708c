import { GatewayError, isGatewayError } from '../errors/gateway-error.ts';
import type { InboundJournal } from '../journal/inbound-journal.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import type { InboundSubscriptions, SubscriberAccess } from './inbound-subscriptions.ts';
import { matchesFilter, type StanzaFilter } from './stanza-filter.ts';

/**
 * `stanzas(filter, after: cursor)`: what matched since the cursor, from the inbound journal,
 * then live, with no gap and nothing twice at the seam. In one synchronous turn, the live
 * subscription is made (it gets every stanza published from now on, buffered while the replay
 * runs) and the replay is fixed to end just before the first of those (Replay.liveFrom). Every
 * stanza has a seq from the journal's bus listener, which runs before the subscriptions'; the
 * live part also skips any seq already replayed, which cannot happen by construction but keeps
 * "nothing twice" from depending on it.
 *
 * The replayed iqs were answered long ago: only live iq requests may be answered. A live buffer
 * that fills while a long replay runs ends the subscription with SUBSCRIBER_OVERFLOW, as for
 * any slow subscriber: resume again from the last cursor received.
 */
export function resumableStanzas(
  subscriptions: InboundSubscriptions,
  journal: InboundJournal,
  request: { filter: StanzaFilter; after: string; observe: boolean; access?: SubscriberAccess },
  asError: (error: GatewayError) => Error,
): AsyncIterableIterator<Stanza> {
  let afterSeq: number;
  try {
    afterSeq = journal.position(request.after);
  } catch (error) {
    throw asError(isGatewayError(error) ? error : new GatewayError('internal', { cause: error }));
  }
  const live = subscriptions.subscribe(request.filter, asError, request.observe, request.access);
  let replay;
  try {
    replay = journal.replay(afterSeq);
  } catch (error) {
    void live.return?.();
    throw asError(isGatewayError(error) ? error : new GatewayError('internal', { cause: error }));
  }
  const { entries } = replay;

  async function* run(): AsyncGenerator<Stanza> {
    let last = afterSeq;
    try {
      try {
        for await (const entry of entries) {
          last = entry.seq;
          // A scoped token's `see` holds for the replay as for live stanzas (asked per stanza, so a
          // reload that narrows it during the replay applies at once).
          const visible = request.access?.maySee(entry.stanza) ?? true;
          if (visible && matchesFilter(entry.stanza, request.filter)) yield entry.stanza;
        }
      } catch (error) {
        throw asError(isGatewayError(error) ? error : new GatewayError('database-unavailable', { cause: error }));
      }
      for await (const stanza of live) {
        const seq = journal.seqOf(stanza);
        if (seq !== undefined && seq <= last) continue;
        if (seq !== undefined) last = seq;
        yield stanza;
      }
    } finally {
      await live.return?.();
    }
  }
  const iterator = run();
  // A generator ended before its first next() never runs its finally: end the live part here.
  return {
    next: () => iterator.next(),
    async return() {
      await live.return?.();
      return iterator.return(undefined);
    },
    throw: (error?: unknown) => iterator.throw(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
