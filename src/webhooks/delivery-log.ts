import type { DeliveryConnection, DeliveryStore, DeliveryWithAttempts, ListArgs } from '../db/delivery-store.ts';
import type { AttemptRecord, DeliveryRecord } from '../db/records.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import { type DeliveryEvent, type DeliveryEventFilter, type DeliveryEvents, senderMatch } from './delivery-events.ts';
import type { Dispatcher } from './dispatcher.ts';
import { stanzaFromLog } from './stored-stanza.ts';

// The one module of src/webhooks that other folders may import (docs/architecture.md): GraphQL
// reads the log through this facade, never through src/db or the webhook internals.
export { MAX_PAGE } from '../db/delivery-store.ts';
export type { DeliveryConnection, DeliveryWithAttempts, ListArgs } from '../db/delivery-store.ts';
export type { AttemptRecord, DeliveryFilter, DeliveryKind, DeliveryRecord, DeliveryStatus } from '../db/records.ts';
export type { DeliveryEvent, DeliveryEventFilter } from './delivery-events.ts';

/**
 * The delivery log as a service, for GraphQL (`deliveries`, `delivery`, `redeliver`, the
 * `deliveries` subscription) and tests. Reads need the database (GatewayError
 * `database-unavailable` while it is down); live events do not.
 */
export class DeliveryLog {
  constructor(
    private readonly parts: () => { store: DeliveryStore; dispatcher: Dispatcher } | undefined,
    private readonly events: DeliveryEvents,
    private readonly domain: string,
  ) {}

  /** Relay connection, newest first; filter by status, kind, sender (bare or full JID), time. */
  list({ filter, ...page }: ListArgs = {}): Promise<DeliveryConnection> {
    const store = this.#store();
    if (filter?.from === undefined) return store.list({ ...page, filter });
    const { from, ...rest } = filter;
    const sender = senderMatch(from);
    if (sender === null) return Promise.reject(new GatewayError('invalid-from', { field: 'from' }));
    return store.list({ ...page, filter: { ...rest, sender } });
  }

  /** One delivery with its attempts (oldest first); undefined when there is none with that id. */
  get(id: string): Promise<DeliveryWithAttempts | undefined> {
    return this.#store().get(id);
  }

  /** The attempts of many deliveries in one read (see DeliveryStore.attemptsFor). */
  async attemptsFor(ids: readonly string[]): Promise<Map<string, AttemptRecord[]>> {
    return this.#store().attemptsFor(ids);
  }

  /** A logged delivery's stanza, typed; undefined only if its XML cannot be read back. */
  stanzaOf(delivery: Pick<DeliveryRecord, 'xml'>): Stanza | undefined {
    return stanzaFromLog(delivery.xml, this.domain);
  }

  /**
   * POSTs a logged stanza again, as a new delivery whose `redeliveryOf` is the original: the
   * same rules, retries and outcome, except that a redelivered iq sends nothing back (its
   * sender stopped waiting long ago). Throws `unknown-delivery` for an unknown id.
   */
  async redeliver(id: string): Promise<DeliveryRecord> {
    const original = await this.get(id);
    const parts = this.parts();
    if (!original || !parts) throw new GatewayError('unknown-delivery', { field: 'id' });
    const stanza = this.stanzaOf(original);
    if (!stanza) throw new GatewayError('internal', { text: 'The logged stanza cannot be read back' });
    return parts.dispatcher.accept(stanza, original.id);
  }

  /**
   * Live events (each attempt, each final outcome); `return()` ends the subscription. A
   * subscriber more than `bounds.capacity` events behind is cut off with `overflow()`'s error.
   * Throws `shutting-down` once closeSubscriptions() ran.
   */
  subscribe(
    filter: DeliveryEventFilter = {},
    bounds: { capacity: number; overflow: () => Error } = {
      capacity: 1000,
      overflow: () => new GatewayError('subscriber-overflow'),
    },
  ): AsyncIterableIterator<DeliveryEvent> {
    return this.events.subscribe(filter, bounds);
  }

  /** Ends every live subscription, and refuses new ones (`shutting-down`): the gateway is stopping. */
  closeSubscriptions(): void {
    this.events.close();
  }

  #store(): DeliveryStore {
    const parts = this.parts();
    if (!parts) throw new GatewayError('database-unavailable', { text: 'The delivery log is not started' });
    return parts.store;
  }
}
