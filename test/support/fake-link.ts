import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Element } from 'ltx';
import { SaxesParser } from 'saxes';
import { parseJid } from '../../src/xmpp/jid.ts';
import { NS_LINK } from '../../src/xmpp/link-probe.ts';

/**
 * The far end of the gateway's XMPP link, in this process: a XEP-0114 endpoint on 127.0.0.1 that
 * does what the server does for a component and nothing more, for flow tests that run in
 * milliseconds (the contract suites keep the real Prosody). Like xmpp.js's `mockClient()`, a
 * test feeds the gateway inbound stanzas (`deliver`) and reads what it wrote (`written`,
 * `nextWritten`) as parsed elements.
 *
 * The gateway reaches it through its ordinary `XMPP_SERVICE` setting, so everything between
 * the faces and the socket runs as in production: the handshake, the one-link-per-domain check
 * (link-guard.ts), the outbound queue with its acknowledgement markers (ack-markers.ts), the
 * liveness watch and the reconnects. A seam that swapped the link object would skip exactly
 * those.
 *
 * What the server does that the gateway relies on:
 * - it routes every stanza addressed to the component's domain (or an address at it) back to the
 *   component: the link guard's probes, a stanza without `to`, and the acknowledgement markers
 *   (pings from the domain to itself), which prove that everything written before them was
 *   processed. `acks` decides what happens to the markers: `ack` routes them back at once,
 *   `hold` keeps them until `releaseAcks()` (a slow server), `drop` loses them (a server that
 *   stopped answering);
 * - it processes one connection's stanzas in order: the answers of `serve()` (a bounce, an iq
 *   reply) are routed to the gateway before the marker that follows the stanza;
 * - `disconnect()` breaks the connection (the link goes offline and reconnects), and while
 *   `accepting` is false it refuses the connection (the link stays down).
 */
export type AckMode = 'ack' | 'hold' | 'drop';

/** What the server (or the recipient) sends back at once for a stanza the gateway wrote. */
export type Responder = (stanza: Element) => string | undefined;

interface FakeLinkEvents {
  /** A stanza the gateway wrote (markers and the link guard's own elements left out). */
  stanza: [Element];
  /** An acknowledgement marker arrived (whatever `acks` then does with it). */
  marker: [];
  /** A connection authenticated. */
  online: [];
}

const NS_STREAMS = 'urn:ietf:params:xml:ns:xmpp-streams';
const STANZA_NAMES = new Set(['message', 'presence', 'iq']);

export class FakeLink extends EventEmitter<FakeLinkEvents> {
  readonly componentDomain: string;
  readonly componentSecret = `fake-secret-${randomBytes(4).toString('hex')}`;
  /** Stanzas the gateway wrote, in order, on every connection. */
  readonly written: Element[] = [];
  acks: AckMode = 'ack';
  /** While false, connections are closed as soon as they are made (the server is down). */
  accepting = true;
  /** Connections that authenticated, since start. */
  connections = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #current: Socket | undefined;
  #held: { socket: Socket; xml: string }[] = [];
  #responder: Responder | undefined;
  #port = 0;

  constructor(domain: string) {
    super();
    this.componentDomain = domain;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  /** The `XMPP_SERVICE` of this endpoint (test/support/gateway.ts's testEnv reads these). */
  get componentService(): string {
    return `xmpp://127.0.0.1:${this.#port}`;
  }

  get componentServices(): Record<string, string> {
    return { [this.componentDomain]: this.componentService };
  }

  /** Markers kept by `acks = 'hold'` and not yet released. */
  get heldAcks(): number {
    return this.#held.length;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as { port: number }).port;
  }

  /** Routes the held markers back, in order: the gateway learns that its writes were processed. */
  releaseAcks(): void {
    for (const { socket, xml } of this.#held.splice(0)) if (!socket.destroyed) socket.write(xml);
  }

  /** Answers each stanza the gateway writes from now on (undefined: no answer), in stream order. */
  serve(responder: Responder | undefined): void {
    this.#responder = responder;
  }

  /** Sends a stanza to the gateway as the server routes one to the component. */
  deliver(xml: string): void {
    if (!this.#current || this.#current.destroyed) throw new Error('the gateway is not connected to the fake link');
    this.#current.write(xml);
  }

  /** Resolves with the first written stanza that matches, already written or still to come. */
  nextWritten(match: (stanza: Element) => boolean, timeoutMs = 2000): Promise<Element> {
    const already = this.written.find(match);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const listener = (stanza: Element) => {
        if (!match(stanza)) return;
        clearTimeout(timer);
        this.off('stanza', listener);
        resolve(stanza);
      };
      const timer = setTimeout(() => {
        this.off('stanza', listener);
        reject(new Error(`no matching stanza written within ${timeoutMs} ms; written: ${this.written.join(' ')}`));
      }, timeoutMs);
      this.on('stanza', listener);
    });
  }

  /** Breaks every connection at once (a reset, as when the server dies). */
  disconnect(): void {
    for (const socket of this.#sockets) socket.resetAndDestroy();
  }

  async close(): Promise<void> {
    this.accepting = false;
    this.disconnect();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    if (!this.accepting) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.on('close', () => {
      this.#sockets.delete(socket);
      if (this.#current === socket) this.#current = undefined;
    });
    socket.on('error', () => {});
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    const streamId = randomBytes(8).toString('hex');
    let authenticated = false;
    const end = (error?: string) => {
      if (error) socket.write(`<stream:error><${error} xmlns='${NS_STREAMS}'/></stream:error>`);
      socket.end('</stream:stream>');
    };
    readStream(socket, {
      open: (attrs) => {
        socket.write(
          `<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' ` +
            `xmlns='jabber:component:accept' from='${this.componentDomain}' id='${streamId}'>`,
        );
        if (attrs.to !== this.componentDomain) end('host-unknown');
      },
      element: (element) => {
        if (!authenticated) {
          const expected = createHash('sha1')
            .update(streamId + this.componentSecret)
            .digest('hex');
          if (element.name !== 'handshake' || element.getText() !== expected) return end('not-authorized');
          authenticated = true;
          this.#current = socket;
          this.connections += 1;
          socket.write('<handshake/>');
          this.emit('online');
          return;
        }
        this.#route(socket, element);
      },
      close: () => end(),
      invalid: () => end('not-well-formed'),
    });
  }

  /** One element the gateway wrote, handled as the server would. */
  #route(socket: Socket, element: Element): void {
    if (!STANZA_NAMES.has(element.name)) return;
    if (this.#isMarker(element)) {
      this.emit('marker');
      if (this.acks === 'ack') socket.write(element.toString());
      else if (this.acks === 'hold') this.#held.push({ socket, xml: element.toString() });
      return;
    }
    const toDomain = parseJid(element.attrs.to ?? '')?.domain === this.componentDomain;
    const machinery = element.getChildElements().some((child) => child.attrs.xmlns === NS_LINK);
    if (!machinery) {
      this.written.push(element);
      this.emit('stanza', element);
    }
    if (toDomain) {
      socket.write(element.toString());
      return;
    }
    const answer = this.#responder?.(element);
    if (answer !== undefined) socket.write(answer);
  }

  /** An acknowledgement marker or liveness ping: a XEP-0199 ping from the domain to itself. */
  #isMarker(element: Element): boolean {
    const { from, to, type } = element.attrs;
    return (
      element.name === 'iq' &&
      type === 'get' &&
      from === this.componentDomain &&
      to === this.componentDomain &&
      element.getChild('ping', 'urn:xmpp:ping') !== undefined
    );
  }
}

export async function startFakeLink(domain = 'rest.localhost'): Promise<FakeLink> {
  const link = new FakeLink(domain);
  await link.listen();
  return link;
}

interface StreamHandlers {
  open(attrs: Record<string, string>): void;
  element(element: Element): void;
  close(): void;
  invalid(): void;
}

/** Reads an XML stream: its header, then each top-level element as an ltx Element. */
function readStream(socket: Socket, handlers: StreamHandlers): void {
  const parser = new SaxesParser({ xmlns: false, position: false } as const);
  let depth = 0;
  let current: Element | undefined;
  parser.on('opentag', (tag) => {
    depth += 1;
    if (depth === 1) return handlers.open({ ...tag.attributes });
    const element = new Element(tag.name, { ...tag.attributes });
    current?.cnode(element);
    current = element;
  });
  parser.on('closetag', () => {
    depth -= 1;
    if (depth === 0) return handlers.close();
    const element = current!;
    current = element.parent ?? undefined;
    if (depth === 1) handlers.element(element);
  });
  parser.on('text', (text) => current?.t(text));
  parser.on('error', () => {
    socket.removeAllListeners('data');
    handlers.invalid();
  });
  socket.on('data', (data: string) => parser.write(data));
}
