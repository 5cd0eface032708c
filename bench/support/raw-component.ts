import { Component } from '@xmpp/component-core';
import type { Element } from 'ltx';

/**
 * A bare xmpp.js component: the raw XMPP link the gateway's figures are compared with, and the
 * sink that counts what the gateway delivered.
 */
export interface RawComponent {
  entity: Component;
  /** Returns the function that removes the listener: a listener left behind slows every later figure. */
  onStanza(listener: (stanza: Element) => void): () => void;
  stop(): Promise<void>;
}

export async function connectRaw(service: string, domain: string, secret: string): Promise<RawComponent> {
  const entity = new Component({ service, domain });
  entity.on('error', () => {});
  entity.on('open', (header: Element) => {
    void entity.authenticate(header.attrs.id ?? '', secret);
  });
  await entity.start();
  return {
    entity,
    onStanza: (listener) => {
      entity.on('stanza', listener);
      return () => entity.off('stanza', listener);
    },
    stop: () => entity.stop().then(() => undefined),
  };
}

/** Resolves when `count` stanzas matching `match` have arrived at `sink`. */
export function countArrivals(sink: RawComponent, match: (stanza: Element) => boolean, count: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const off = sink.onStanza((stanza) => {
      if (!match(stanza)) return;
      seen += 1;
      if (seen === count) {
        off();
        resolve();
      }
    });
  });
}
