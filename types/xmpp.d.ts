// xmpp.js 0.13 ships no type declarations; these cover what the gateway and its tests use.
declare module '@xmpp/component-core' {
  import { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';

  export class Component extends EventEmitter {
    constructor(options: { service: string; domain: string });
    status: string;
    socket: Socket | null;
    start(): Promise<void>;
    stop(): Promise<void>;
    write(data: string): Promise<void>;
    authenticate(id: string, password: string): Promise<void>;
  }
}

declare module '@xmpp/client' {
  import { EventEmitter } from 'node:events';
  import type { Element } from 'ltx';

  export interface Client extends EventEmitter {
    jid: { toString(): string } | null;
    status: string;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(element: Element): Promise<void>;
    write(data: string): Promise<void>;
    reconnect: { stop(): void };
    iqCaller: { request(element: Element, timeoutMs?: number): Promise<Element> };
    iqCallee: {
      get(
        ns: string,
        name: string,
        handler: (ctx: { stanza: Element }) => Element | boolean | Promise<Element | boolean>,
      ): void;
      set(
        ns: string,
        name: string,
        handler: (ctx: { stanza: Element }) => Element | boolean | Promise<Element | boolean>,
      ): void;
    };
  }
  export function client(options: {
    service: string;
    domain: string;
    username?: string;
    password?: string;
    resource?: string;
  }): Client;
  export function xml(name: string, attrs?: Record<string, string> | null, ...children: (Element | string)[]): Element;
}
