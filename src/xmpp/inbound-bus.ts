import { EventEmitter } from 'node:events';
import type { Stanza } from './codec/index.ts';

/**
 * Every decoded inbound stanza, except iq replies claimed by a waiting request. Listeners run
 * synchronously on the link's read path, so they must only enqueue work, never wait: a slow
 * subscriber or webhook must not hold up the XMPP link.
 */
export class InboundBus extends EventEmitter<{ stanza: [Stanza] }> {
  constructor() {
    super();
    // Each GraphQL subscription and the webhook dispatcher is one listener.
    this.setMaxListeners(0);
  }

  /** Calls every listener; one that throws does not keep the stanza from the others. */
  publish(stanza: Stanza, onListenerError: (error: unknown) => void): void {
    for (const listener of this.listeners('stanza') as ((stanza: Stanza) => void)[]) {
      try {
        listener(stanza);
      } catch (error) {
        onListenerError(error);
      }
    }
  }

  subscribe(listener: (stanza: Stanza) => void): () => void {
    this.on('stanza', listener);
    return () => this.off('stanza', listener);
  }
}
