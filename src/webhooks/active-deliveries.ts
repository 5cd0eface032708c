import type { DeliveryRecord } from '../db/records.ts';
import type { Stanza } from '../xmpp/codec/index.ts';

/** A delivery in memory, from its admission to the end of its outcome. */
export interface Active {
  record: DeliveryRecord;
  stanza: Stanza;
  /** Whether the sender gets the outcome: not for a redelivered iq (nobody waits any more). */
  answers: boolean;
  /** Settles once the row is written (or the database is down): the first attempt waits for it. */
  stored: Promise<unknown>;
  /** The final outcome is being (or was) sent: no second one, whatever fails afterwards. */
  ending: boolean;
}

/**
 * The deliveries in memory, by id, and how many of them count against WEBHOOK_QUEUE_MAX: a
 * delivery whose outcome is being sent waits for the XMPP server's acknowledgement of the reply,
 * but no longer holds a slot.
 */
export class ActiveDeliveries {
  readonly #active = new Map<string, Active>();
  #ending = 0;

  track(record: DeliveryRecord, stanza: Stanza, stored: Promise<unknown>): Active {
    const active = {
      record,
      stanza,
      stored,
      answers: !(record.redeliveryOf !== null && record.kind === 'iq'),
      ending: false,
    };
    this.#active.set(record.id, active);
    return active;
  }

  get(id: string): Active | undefined {
    return this.#active.get(id);
  }

  has(id: string): boolean {
    return this.#active.has(id);
  }

  /** How many count against WEBHOOK_QUEUE_MAX. */
  get held(): number {
    return this.#active.size - this.#ending;
  }

  /** Its final outcome is being sent: it frees its slot now. */
  ending(active: Active): void {
    if (!active.ending) this.#ending += 1;
    active.ending = true;
  }

  /** Gone from memory (a second call for the same id does nothing). */
  release(id: string): void {
    const active = this.#active.get(id);
    if (!active) return;
    if (active.ending) this.#ending -= 1;
    this.#active.delete(id);
  }

  /** When the oldest delivery in memory arrived (undefined when there is none). */
  oldestCreatedAt(): Date | undefined {
    let oldest: Date | undefined;
    for (const { record } of this.#active.values()) if (!oldest || record.createdAt < oldest) oldest = record.createdAt;
    return oldest;
  }
}
