import { client, xml, type Client } from '@xmpp/client';
import type { Element } from 'ltx';
import type { XmppServer } from './xmpp-server.ts';

/**
 * A real XMPP account connected to the test Prosody with @xmpp/client: what it receives is
 * what the gateway really delivered.
 */
export interface XmppUser {
  jid: string;
  client: Client;
  received: Element[];
  /** Resolves with the first stanza (already received or arriving) that matches. */
  waitFor(match: (stanza: Element) => boolean, timeoutMs?: number): Promise<Element>;
  /** Resolves when no matching stanza arrives within `ms` (for "never a reply" rows). */
  expectNone(match: (stanza: Element) => boolean, ms: number): Promise<void>;
  sendXml(data: string): Promise<void>;
  stop(): Promise<void>;
}

export { xml };

export async function connectUser(
  prosody: XmppServer,
  username: string,
  password: string,
  resource = 'test',
): Promise<XmppUser> {
  const entity = client({ service: prosody.c2sService, domain: prosody.host, username, password, resource });
  const received: Element[] = [];
  const waiters = new Set<{ match: (stanza: Element) => boolean; resolve: (stanza: Element) => void }>();
  entity.on('error', () => {});
  entity.on('stanza', (stanza: Element) => {
    received.push(stanza);
    for (const waiter of waiters) {
      if (waiter.match(stanza)) {
        waiters.delete(waiter);
        waiter.resolve(stanza);
      }
    }
  });
  await entity.start();
  await entity.send(xml('presence'));

  return {
    jid: `${username}@${prosody.host}/${resource}`,
    client: entity,
    received,
    waitFor(match, timeoutMs = 5000) {
      const already = received.find(match);
      if (already) return Promise.resolve(already);
      return new Promise<Element>((resolve, reject) => {
        const waiter = {
          match,
          resolve: (stanza: Element) => {
            clearTimeout(timer);
            resolve(stanza);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${username} received no matching stanza within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async expectNone(match, ms) {
      await new Promise((resolve) => setTimeout(resolve, ms));
      const found = received.find(match);
      if (found) throw new Error(`${username} unexpectedly received ${found.toString()}`);
    },
    sendXml: (data) => entity.write(data),
    async stop() {
      entity.reconnect?.stop();
      await entity.stop().catch(() => {});
    },
  };
}
