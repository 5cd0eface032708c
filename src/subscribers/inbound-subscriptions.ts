import { GatewayError } from '../errors/gateway-error.ts';
import type { Logger } from '../log.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import { answererPriority, type XmppCore } from '../xmpp/core.ts';
import { EventQueue } from './event-queue.ts';
import { IqAnswers } from './iq-answers.ts';
import { matchesFilter, type StanzaFilter } from './stanza-filter.ts';

/**
 * Fans the core's inbound stanzas out to live subscriptions (GraphQL `stanzas`), each with its
 * own filter and bounded buffer, and answers for the iqs they see (IqAnswers). One bus listener
 * for all: it only filters and enqueues, so neither a slow subscriber nor many of them hold up
 * the XMPP link's read path.
 */
export interface InboundSubscriptionsOptions {
  bufferMax: number;
  answerTimeoutMs: number;
}

interface Subscription {
  filter: StanzaFilter;
  queue: EventQueue<Stanza>;
  /** Only watches: the inbound iqs it sees are not held for its answer (a console's live tail). */
  observe: boolean;
}

export class InboundSubscriptions {
  readonly answers: IqAnswers;
  readonly #subscriptions = new Set<Subscription>();
  /** Inbound iqs that reached at least one subscriber, for the answerer that runs right after. */
  readonly #delivered = new WeakSet<Stanza>();
  readonly #detach: (() => void)[] = [];
  #overflows = 0;
  #closed = false;

  constructor(
    private readonly core: XmppCore,
    private readonly options: InboundSubscriptionsOptions,
    private readonly log: Logger,
  ) {
    this.answers = new IqAnswers({
      timeoutMs: options.answerTimeoutMs,
      rules: core.rules,
      sendReply: (reply) =>
        core
          .reply(reply)
          .catch((error: unknown) => log.warn({ err: error, id: reply.id }, 'could not send an iq reply')),
    });
    this.#detach.push(core.inbound.subscribe((stanza) => this.#publish(stanza)));
    // The core publishes a stanza to the bus before it asks the answerers, so #delivered is
    // already known here (src/xmpp/core.ts #receive).
    this.#detach.push(
      core.addIqAnswerer(
        answererPriority.subscribers,
        (request) => this.#delivered.has(request) && this.answers.hold(request),
      ),
    );
  }

  /** Open subscriptions. */
  get count(): number {
    return this.#subscriptions.size;
  }

  /** Subscriptions ended so far because their subscriber fell behind. */
  get overflows(): number {
    return this.#overflows;
  }

  /**
   * A live stream of the inbound stanzas that match. `asError` turns the overflow failure into
   * what the face reports (a GraphQL error with a code). Once close() ran, it throws
   * `shutting-down` (through `asError`): a stream opened then would never be ended. An `observe`
   * subscription sees every stanza but takes on no iq: what it alone matches is answered as if
   * nobody listened, so watching never changes what senders get.
   */
  subscribe(
    filter: StanzaFilter,
    asError: (error: GatewayError) => Error = (error) => error,
    observe = false,
  ): AsyncIterableIterator<Stanza> {
    if (this.#closed) throw asError(new GatewayError('shutting-down'));
    const subscription: Subscription = {
      filter,
      observe,
      queue: new EventQueue<Stanza>(
        this.options.bufferMax,
        () => {
          this.#overflows += 1;
          this.log.warn(
            { bufferMax: this.options.bufferMax },
            'a slow subscriber overflowed its buffer; ending its subscription',
          );
          return asError(new GatewayError('subscriber-overflow'));
        },
        () => this.#subscriptions.delete(subscription),
      ),
    };
    this.#subscriptions.add(subscription);
    return subscription.queue;
  }

  /** Ends every subscription and answers every pending iq: the gateway is stopping. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const detach of this.#detach.splice(0)) detach();
    for (const { queue } of [...this.#subscriptions]) queue.close();
    await this.answers.close();
  }

  #publish(stanza: Stanza): void {
    let delivered = false;
    for (const { filter, queue, observe } of this.#subscriptions) {
      if (matchesFilter(stanza, filter) && queue.push(stanza) && !observe) delivered = true;
    }
    if (delivered && stanza.isIqRequest) this.#delivered.add(stanza);
  }
}
