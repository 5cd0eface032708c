import { client, xml } from '@xmpp/client';
import type { Element } from 'ltx';
import type { Prosody } from './local-prosody.ts';

/**
 * The demo's XMPP account, online while the demo runs, so that what a curl command sends shows
 * up in the terminal — and so that the self-check can see a message really arrive.
 */
export interface DemoUser {
  jid: string;
  onMessage(listener: (from: string, body: string) => void): void;
  sendMessage(to: string, body: string): Promise<void>;
  stop(): Promise<void>;
}

export async function connectDemoUser(prosody: Prosody, username: string, password: string): Promise<DemoUser> {
  const entity = client({ service: prosody.c2sService, domain: prosody.host, username, password, resource: 'demo' });
  entity.on('error', () => {});
  const listeners: ((from: string, body: string) => void)[] = [];
  entity.on('stanza', (stanza: Element) => {
    const body = stanza.is('message') ? stanza.getChildText('body') : null;
    if (body !== null) for (const listener of listeners) listener(stanza.attrs.from ?? '', body);
  });
  await entity.start();
  await entity.send(xml('presence'));
  return {
    jid: `${username}@${prosody.host}/demo`,
    onMessage: (listener) => listeners.push(listener),
    sendMessage: (to, body) => entity.send(xml('message', { to, type: 'chat' }, xml('body', {}, body))),
    async stop() {
      entity.reconnect.stop();
      await entity.stop().catch(() => {});
    },
  };
}
