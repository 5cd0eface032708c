import { GatewayError } from '../errors/gateway-error.ts';
import type { Logger } from '../log.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import type { XmppCore } from '../xmpp/core.ts';
import { answererPriority } from '../xmpp/iq-callee.ts';
import { EventQueue } from '../flow/event-queue.ts';
import { IqAnswers } from './iq-answers.ts';
import { compactFilter, matchesFilter, type StanzaFilter } from './stanza-filter.ts';
import { type TurnScheduler, turns } from '../flow/turn-scheduler.ts';

/**
 * Fans the core's inbound stanzas out to live subscriptions (GraphQL `stanzas`), each with its
 * own filter and bounded buffer, and answers for the iqs they see (IqAnswers). One bus listener
 * for all: it only filters and enqueues, so neither a slow subscriber nor many of them hold up
 * the XMPP link's read path. With many subscriptions even that is cut into turns of the
 * scheduler (a chunk of subscriptions at a time, stanzas strictly in arrival order), so that a
 * burst of stanzas to 20,000 subscribers does not hold the event loop either.
 */
export interface InboundSubscriptionsOptions {
  bufferMax: number;
  answerTimeoutMs: number;
}

/**
 * What a subscriber may see, checked at the source: a stanza it may not see is never queued
 * for it (so never serialised for it), and the whole subscription ends with the error `watch`
 * reports (a reload took its right away). A scoped token's caller (src/auth/caller.ts) is one.
 */
export interface SubscriberAccess {
  /** The token's name, for logs (never its secret). */
  readonly name: string;
  maySee(stanza: Stanza): boolean;
  /** Whether it may answer an inbound iq now; one that may not only watches iqs, as `observe`. */
  mayAnswer(): boolean;
  watch(lost: (error: GatewayError) => void): () => void;
}

interface Subscription {
  /** Increasing: a stanza goes to the subscriptions that existed when it arrived. */
  seq: number;
  filter: StanzaFilter;
  queue: EventQueue<Stanza>;
  /** Only watches: the inbound iqs it sees are not held for its answer (a console's live tail). */
  observe: boolean;
  access: SubscriberAccess | undefined;
  /** Stops watching the scope: called when the subscription ends. */
  unwatch?: () => void;
}

/** A stanza being handed to the subscriptions, possibly over several turns. */
interface FanOut {
  stanza: Stanza;
  lastSeq: number;
  next: Iterator<Subscription> | undefined;
}

/** Time one chunk of fan-out may take before it yields to other turns. */
const CHUNK_MS = 1;
/**
 * Stanzas waiting for their fan-out, at most; past it the oldest are handed out at once (the
 * loop is held, as it was before turns) rather than let memory grow without bound.
 */
const BACKLOG_MAX = 10_000;

export class InboundSubscriptions {
  readonly answers: IqAnswers;
  readonly #subscriptions = new Set<Subscription>();
  /** Inbound iqs that reached at least one subscriber, for the answerer that runs right after. */
  readonly #delivered = new WeakSet<Stanza>();
  readonly #detach: (() => void)[] = [];
  readonly #backlog: FanOut[] = [];
  #turnQueued = false;
  #nextSeq = 0;
  #overflows = 0;
  #closed = false;
  readonly #fanOutTurn = () => {
    this.#turnQueued = false;
    // A turn must not throw (it would end the scheduler's slice for everyone).
    try {
      this.#fanOut(performance.now() + CHUNK_MS);
    } catch (error) {
      // Skip the stanza that failed rather than stall every later one.
      const failed = this.#backlog.shift();
      this.log.error({ err: error, id: failed?.stanza.id }, 'fan-out of a stanza to subscriptions failed');
      if (this.#backlog.length > 0) this.#queueTurn();
    }
  };

  constructor(
    private readonly core: XmppCore,
    private readonly options: InboundSubscriptionsOptions,
    private readonly log: Logger,
    private readonly scheduler: TurnScheduler = turns,
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
    // already known here (src/xmpp/core.ts #receive, then iq-callee.ts).
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
   * nobody listened, so watching never changes what senders get. `access` narrows what it sees
   * to the subscriber's scope, and ends it when the scope no longer allows it.
   */
  subscribe(
    filter: StanzaFilter,
    asError: (error: GatewayError) => Error = (error) => error,
    observe = false,
    access?: SubscriberAccess,
  ): AsyncIterableIterator<Stanza> {
    if (this.#closed) throw asError(new GatewayError('shutting-down'));
    const subscription: Subscription = {
      seq: (this.#nextSeq += 1),
      filter: compactFilter(filter),
      observe,
      access,
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
        () => {
          this.#subscriptions.delete(subscription);
          subscription.unwatch?.();
        },
        this.scheduler,
      ),
    };
    this.#subscriptions.add(subscription);
    subscription.unwatch = access?.watch((error) => {
      this.log.info({ token: access.name, reason: error.kind }, 'a subscription lost its right at a reload; ending it');
      subscription.queue.fail(asError(error));
    });
    return subscription.queue;
  }

  /** Ends every subscription and answers every pending iq: the gateway is stopping. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const detach of this.#detach.splice(0)) detach();
    // What arrived before the stop still reaches the subscriptions, before they end.
    this.#fanOut(Infinity);
    for (const { queue } of [...this.#subscriptions]) queue.close();
    await this.answers.close();
  }

  #publish(stanza: Stanza): void {
    // The iq answerer runs right after this listener: whether a subscriber will see the iq must
    // be known now, even if its fan-out waits for a turn.
    if (stanza.isIqRequest && this.#anyTakes(stanza)) this.#delivered.add(stanza);
    this.#backlog.push({ stanza, lastSeq: this.#nextSeq, next: undefined });
    if (this.#backlog.length > BACKLOG_MAX) this.#fanOut(Infinity, this.#backlog.length - BACKLOG_MAX);
    // With few subscriptions the whole fan-out fits in this chunk, as before turns existed.
    else if (this.#backlog.length === 1 && this.scheduler.waiting === 0) this.#fanOut(performance.now() + CHUNK_MS);
    else this.#queueTurn();
  }

  #anyTakes(stanza: Stanza): boolean {
    // An observer (a console's live tail) only watches: it never holds an iq for its answer;
    // nor does a subscriber whose token may not send iqs (it could never answer).
    for (const subscription of this.#subscriptions) {
      if (subscription.observe || !subscription.queue.accepting) continue;
      if (subscription.access && !subscription.access.mayAnswer()) continue;
      if (takes(subscription, stanza)) return true;
    }
    return false;
  }

  /** Hands out backlog stanzas in order until `deadline` (or `count` of them are done). */
  #fanOut(deadline: number, count = Infinity): void {
    let checked = 0;
    while (this.#backlog.length > 0 && count > 0) {
      const job = this.#backlog[0]!;
      job.next ??= this.#subscriptions.values();
      for (;;) {
        // Reading the clock costs too: every 64 subscriptions.
        if ((checked += 1) % 64 === 0 && performance.now() >= deadline) return this.#queueTurn();
        const step = job.next.next();
        // Subscriptions are iterated in the order they were made: the rest are newer than the stanza.
        if (step.done || step.value.seq > job.lastSeq) break;
        if (takes(step.value, job.stanza)) step.value.queue.push(job.stanza);
      }
      this.#backlog.shift();
      count -= 1;
    }
    if (this.#backlog.length > 0) this.#queueTurn();
  }

  #queueTurn(): void {
    if (this.#turnQueued) return;
    this.#turnQueued = true;
    this.scheduler.enqueue(this.#fanOutTurn);
  }
}

/** The subscriber's own filter, then its scope: a stanza outside the scope is never queued. */
function takes({ filter, access }: Subscription, stanza: Stanza): boolean {
  return matchesFilter(stanza, filter) && (access === undefined || access.maySee(stanza));
}
