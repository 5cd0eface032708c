import { Component } from '@xmpp/component-core';
import type { Element } from 'ltx';

/**
 * One connection of the link, from connect to close, with a fresh xmpp.js entity so that no
 * listener or parser state survives a broken connection. The link decides what "online" means
 * (`authenticated`) and what happens between attempts.
 */
export type LinkError = Error & { condition?: string; code?: string };

export interface AttemptOutcome {
  /** Set by the link once it declared the connection online. */
  wentOnline: boolean;
  /** The first error: the cause (what follows is usually its consequence). */
  error: LinkError | undefined;
}

export interface AttemptHooks {
  /** The stream is authenticated (XEP-0114 handshake accepted). */
  authenticated(entity: Component, attempt: Attempt): void;
  stanza(element: Element): void;
  /** The connection ended after the link declared it online. */
  ended(): void;
}

export interface Attempt {
  readonly entity: Component;
  readonly outcome: AttemptOutcome;
  /** Resolves when the connection has ended, whatever the cause. */
  readonly done: Promise<AttemptOutcome>;
  /**
   * Ends it now with a reset rather than a close: a server that wakes up finds the connection
   * gone instead of reading what is still queued in it (the queue writes that again).
   */
  abort(reason: string): void;
}

export function startAttempt(
  options: { service: string; domain: string; secret: string },
  hooks: AttemptHooks,
): Attempt {
  const entity = new Component({ service: options.service, domain: options.domain });
  const outcome: AttemptOutcome = { wentOnline: false, error: undefined };
  let finish!: () => void;
  const done = new Promise<AttemptOutcome>((resolve) => (finish = () => resolve(outcome)));
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    entity.removeAllListeners();
    entity.on('error', () => {});
    entity.socket?.destroy();
    if (outcome.wentOnline) hooks.ended();
    finish();
  };
  const attempt: Attempt = {
    entity,
    outcome,
    done,
    abort(reason) {
      outcome.error ??= new Error(reason);
      entity.socket?.resetAndDestroy();
      end();
    },
  };
  entity.on('error', (error: LinkError) => {
    outcome.error ??= error;
  });
  // Stanzas are written in batches already; Nagle's algorithm would only hold a small write
  // (an iq right after a message) until the server's delayed ACK, about 40 ms.
  entity.on('connect', () => entity.socket?.setNoDelay(true));
  entity.on('open', (header: Element) => {
    entity.authenticate(header.attrs.id ?? '', options.secret).catch((error: Error) => {
      outcome.error ??= error;
      end();
    });
  });
  entity.on('online', () => hooks.authenticated(entity, attempt));
  entity.on('stanza', (element: Element) => hooks.stanza(element));
  entity.on('disconnect', end);
  entity.on('offline', end);
  entity.start().catch((error: Error) => {
    outcome.error ??= error;
    end();
  });
  return attempt;
}
