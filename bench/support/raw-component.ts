import { Component } from '@xmpp/component-core';
import type { Element } from 'ltx';

/**
 * A bare xmpp.js component: the raw XMPP link the gateway's figures are compared with, and the
 * sink that counts what the gateway delivered.
 */
export interface RawComponent {
  entity: Component;
  onStanza(listener: (stanza: Element) => void): void;
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
    onStanza: (listener) => entity.on('stanza', listener),
    stop: () => entity.stop().then(() => undefined),
  };
}

/** Resolves when `count` stanzas matching `match` have arrived at `sink`. */
export function countArrivals(sink: RawComponent, match: (stanza: Element) => boolean, count: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    sink.onStanza((stanza) => {
      if (match(stanza)) {
        seen += 1;
        if (seen === count) resolve();
      }
    });
  });
}
