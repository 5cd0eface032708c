import { randomBytes } from 'node:crypto';
import type { Element } from 'ltx';
import { escapeAttribute } from './codec/index.ts';
import { NS_PING } from './codec/namespaces.ts';

/**
 * Acknowledgement markers. XMPP servers handle the stanzas of one connection in order, so when
 * an iq the gateway wrote after a batch has come back, the server has processed the batch:
 * routed each stanza (into the recipient's session, its offline store, a server-to-server
 * queue) or bounced it, and the bounces came before the marker. The marker is a XEP-0199 ping
 * from the component's domain to itself, which works on every server without knowing the
 * server's own domain: the server routes it back to this connection like any stanza to the
 * domain. The same marker, written alone, is the liveness ping.
 */
export class AckMarkers {
  readonly #domain: string;
  readonly #head: string;
  readonly #prefix: string;
  #next = 1;

  constructor(domain: string) {
    this.#domain = domain;
    // Per process: a marker of an earlier run, or of another gateway, is never taken for ours.
    this.#prefix = `sg-ack-${randomBytes(6).toString('hex')}-`;
    const address = escapeAttribute(domain);
    this.#head = `<iq type='get' from='${address}' to='${address}' id='${this.#prefix}`;
  }

  /** A new marker: its sequence number (increasing) and its XML. */
  next(): { seq: number; xml: string } {
    const seq = this.#next;
    this.#next += 1;
    return { seq, xml: `${this.#head}${seq}'><ping xmlns='${NS_PING}'/></iq>` };
  }

  /**
   * For an element read from the stream: the sequence number of our marker that came back, or
   * undefined for anything else. A server that answered the ping itself instead of routing it
   * back would prove the same, so the type does not matter, only who may have sent it (no one
   * but the server and this component may use the domain as `from`).
   */
  read(element: Element): number | undefined {
    const id = element.attrs.id;
    if (element.name !== 'iq' || id === undefined || !id.startsWith(this.#prefix)) return undefined;
    if (element.attrs.from !== this.#domain) return undefined;
    const seq = Number(id.slice(this.#prefix.length));
    return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
  }
}
