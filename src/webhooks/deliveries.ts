import type { EventEmitter } from 'node:events';
import type { Config } from '../config.ts';
import type { DeliveryStore } from '../db/delivery-store.ts';
import type { Part } from '../flow/start-order.ts';
import type { Logger } from '../log.ts';
import type { XmppCore } from '../xmpp/core.ts';
import { answererPriority } from '../xmpp/iq-callee.ts';
import type { CallbackClient } from './callback-client.ts';
import type { CallbackFormat } from './callback-probe.ts';
import type { CallbackUrl } from './callback-url.ts';
import type { DeliveryEvents } from './delivery-events.ts';
import type { DeliveryMetricEvents } from './delivery-recorder.ts';
import { Dispatcher } from './dispatcher.ts';
import { EchoGuard } from './echo-guard.ts';
import type { LogDatabase } from './log-database.ts';

export interface DeliveriesDeps {
  core: Pick<XmppCore, 'domain' | 'reply' | 'inbound' | 'addIqAnswerer' | 'mayAct'>;
  config: Pick<Config, 'webhook' | 'rest' | 'xmpp'>;
  client: CallbackClient;
  url: CallbackUrl;
  /** Started before: its answer is awaited here, before the first delivery. */
  format: CallbackFormat;
  /** Started before: the dispatcher writes and reads through it. */
  database: LogDatabase;
  events: DeliveryEvents;
  metricEvents: EventEmitter<DeliveryMetricEvents>;
  log: Logger;
}

export interface Deliveries extends Part {
  /** Once started (and still after stop(): a late redelivery is logged as pending). */
  readonly running: { store: DeliveryStore; dispatcher: Dispatcher } | undefined;
  /** The first step of stopping: see Dispatcher.drain. */
  drain(deadline: number): Promise<void>;
}

/**
 * The dispatcher and what feeds it: the inbound bus's stanzas of the kinds in
 * WEBHOOK_STANZA_KINDS, and (when `iq` is one of them) the inbound iqs, as their first answerer.
 * Replies go back through the core, remembered by the echo guard so that one returning to the
 * gateway's own domain is not POSTed again. stop() drains first and detaches after, so that a
 * stanza arriving until then is still logged as pending (an iq refused).
 */
export function deliveries(deps: DeliveriesDeps): Deliveries {
  const { core, config, log } = deps;
  const kinds = new Set(config.webhook.kinds);
  const detach: (() => void)[] = [];
  let running: { store: DeliveryStore; dispatcher: Dispatcher } | undefined;

  async function start(): Promise<void> {
    const open = deps.database.open;
    if (!open) throw new Error('the delivery log database is not started');
    const echoes = new EchoGuard({ domain: core.domain });
    const dispatcher = new Dispatcher({
      send: async (stanza) => {
        echoes.sending(stanza);
        try {
          await core.reply(stanza);
        } catch (error) {
          echoes.notSent(stanza);
          throw error;
        }
      },
      domain: core.domain,
      settings: config.webhook,
      callback: { format: await deps.format.chosen(), url: deps.url },
      maxReplyBytes: config.rest.maxBodyBytes,
      maxStanzaBytes: config.xmpp.maxStanzaBytes,
      client: deps.client,
      store: open.store,
      writer: open.writer,
      events: deps.events,
      metricEvents: deps.metricEvents,
      log,
      mayAct: () => core.mayAct(),
    });
    running = { store: open.store, dispatcher };
    // Listeners run on the link's read path: accept() only enqueues. Kinds left out of
    // WEBHOOK_STANZA_KINDS are not POSTed: their iqs go to the other answerers.
    detach.push(
      core.inbound.subscribe((stanza) => {
        if (stanza.isIqRequest) return;
        // Sent on a callback's behalf to the gateway's own domain: never a callback again.
        if (echoes.returned(stanza))
          log.debug({ id: stanza.id, kind: stanza.kind }, 'not posting a callback reply back');
        else if (kinds.has(stanza.kind)) dispatcher.accept(stanza);
      }),
    );
    if (kinds.has('iq'))
      detach.push(
        core.addIqAnswerer(answererPriority.webhook, (request) => {
          dispatcher.accept(request);
          return true;
        }),
      );
  }

  return {
    get running() {
      return running;
    },
    start,
    async drain(deadline) {
      await running?.dispatcher.drain(deadline);
    },
    async stop() {
      await running?.dispatcher.drain(Date.now());
      for (const undo of detach.splice(0)) undo();
    },
  };
}
