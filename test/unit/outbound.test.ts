import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { Element } from 'ltx';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { decodeInbound, parseStanza, parseXmlElement } from '../../src/xmpp/codec/index.ts';
import { OutboundQueue, type OutboundOptions } from '../../src/xmpp/outbound.ts';

const DOMAIN = 'rest.example.net';
const MARKER =
  /<iq type='get' from='rest\.example\.net' to='rest\.example\.net' id='(sg-ack-[0-9a-f]+-\d+)'><ping xmlns='urn:xmpp:ping'\/><\/iq>/g;

/**
 * A link whose socket accepts a write only when the test says so, and whose server answers the
 * acknowledgement markers only when the test says so.
 */
class FakeLink extends EventEmitter {
  online = false;
  failed = false;
  /** What was written, markers removed. */
  writes: string[] = [];
  /** Marker ids written, in order, not yet answered. */
  markers: string[] = [];
  pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  write(data: string): Promise<void> {
    this.writes.push(data.replace(MARKER, ''));
    for (const match of data.matchAll(MARKER)) this.markers.push(match[1]!);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  retryAfterSeconds(): number {
    return 7;
  }
  goOnline(): void {
    this.online = true;
    this.emit('online');
  }
  goOffline(): void {
    this.online = false;
    this.markers = [];
    this.emit('offline');
  }
  flush(): void {
    for (const write of this.pending.splice(0)) write.resolve();
  }
  /** The server routes the oldest marker back (true when there was one). */
  answer(queue: OutboundQueue): boolean {
    const id = this.markers.shift();
    if (id === undefined) return false;
    return queue.acknowledge(new Element('iq', { type: 'get', from: DOMAIN, to: DOMAIN, id }));
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function queueOn(link: FakeLink, options: Partial<OutboundOptions> = {}): OutboundQueue {
  return new OutboundQueue(link, { deadlineMs: 1000, queueMax: 100, window: 256, domain: DOMAIN, ...options });
}

/** Flushes writes and answers markers until the queue settles what it can. */
async function serve(link: FakeLink, queue: OutboundQueue): Promise<void> {
  for (let round = 0; round < 20; round += 1) {
    await tick();
    link.flush();
    await tick();
    while (link.answer(queue));
  }
}

describe('OutboundQueue', () => {
  it('writes one batch at a time and coalesces what queued meanwhile', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link);
    const first = queue.send('<a/>');
    const rest = [queue.send('<b/>'), queue.send('<c/>')];
    await tick();
    assert.deepEqual(link.writes, ['<a/>'], 'the second write waits for the socket to accept the first');
    link.flush();
    await tick();
    assert.deepEqual(link.writes, ['<a/>', '<b/><c/>']);
    assert.equal(link.markers.length, 2, 'one marker after each batch');
    await serve(link, queue);
    await Promise.all([first, ...rest]);
    assert.equal(queue.size, 0);
    assert.equal(queue.unacknowledged, 0);
  });

  it('waits for the link, then sends in order', async () => {
    const link = new FakeLink();
    const queue = queueOn(link);
    const sends = [queue.send('<a/>'), queue.send('<b/>')];
    await tick();
    assert.deepEqual(link.writes, []);
    link.goOnline();
    await serve(link, queue);
    await Promise.all(sends);
    assert.deepEqual(link.writes, ['<a/><b/>']);
  });

  it('fails with link-down and Retry-After when the deadline passes', async () => {
    const link = new FakeLink();
    const queue = queueOn(link, { deadlineMs: 30 });
    const error = await queue.send('<a/>').catch((caught: unknown) => caught);
    assert.ok(error instanceof GatewayError);
    assert.equal(error.kind, 'link-down');
    assert.equal(error.retryAfterSeconds, 7);
    assert.equal(queue.size, 0);
    link.goOnline();
    await tick();
    assert.deepEqual(link.writes, [], 'an expired stanza is never written');
  });

  it('online but backed up past the deadline: queue-full, not link-down', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link, { deadlineMs: 30 });
    void queue.send('<a/>').catch(() => {});
    await tick();
    await assert.rejects(
      queue.send('<b/>'),
      (error: GatewayError) => error.kind === 'queue-full' && error.retryAfterSeconds === 1,
    );
  });

  it('a link refused for good fails what waits and every new send at once, without Retry-After', async () => {
    const link = new FakeLink();
    const queue = queueOn(link, { deadlineMs: 10_000 });
    const waiting = queue.send('<a/>');
    link.failed = true;
    link.emit('failed');
    await assert.rejects(
      waiting,
      (error: GatewayError) => error.kind === 'link-down' && error.retryAfterSeconds === undefined,
    );
    const started = Date.now();
    await assert.rejects(queue.send('<b/>'), /refused the component for good/);
    assert.ok(Date.now() - started < 100);
    assert.equal(queue.size, 0);
  });

  it('does not keep expired stanzas while the link stays down', async () => {
    const link = new FakeLink();
    const queue = queueOn(link, { deadlineMs: 5, queueMax: 10_000 });
    for (let round = 0; round < 5; round += 1) {
      await Promise.all(Array.from({ length: 200 }, () => queue.send('<a/>').catch(() => {})));
    }
    assert.equal(queue.size, 0);
    assert.ok(queue.held < 300, `${queue.held} entries held after 1000 expired`);
  });

  it('a reply is still accepted after close(): every inbound iq gets its answer', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link);
    queue.close();
    await assert.rejects(queue.send('<a/>'), (error: GatewayError) => error.kind === 'shutting-down');
    const reply = queue.send('<iq type="result"/>', { reply: true });
    await serve(link, queue);
    await reply;
    assert.deepEqual(link.writes, ['<iq type="result"/>']);
  });

  it('a shorter per-call deadline wins', async () => {
    const link = new FakeLink();
    const queue = queueOn(link, { deadlineMs: 10_000 });
    const started = Date.now();
    await assert.rejects(queue.send('<a/>', { deadlineMs: 20 }), (error: GatewayError) => error.kind === 'link-down');
    assert.ok(Date.now() - started < 1000);
  });

  it('is bounded: queue-full beyond the limit', async () => {
    const link = new FakeLink();
    const queue = queueOn(link, { deadlineMs: 50, queueMax: 2 });
    const waiting = [queue.send('<a/>'), queue.send('<b/>')].map((p) => p.catch(() => 'expired'));
    await assert.rejects(queue.send('<c/>'), (error: GatewayError) => error.kind === 'queue-full');
    assert.deepEqual(await Promise.all(waiting), ['expired', 'expired']);
  });

  it('requeues a batch whose write failed and sends it after reconnecting', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link);
    const sent = queue.send('<a/>');
    await tick();
    link.online = false;
    link.pending.shift()!.reject(new Error('socket closed'));
    await tick();
    assert.equal(queue.size, 1);
    link.goOffline();
    link.goOnline();
    await serve(link, queue);
    await sent;
    assert.deepEqual(link.writes, ['<a/>', '<a/>']);
  });

  it('close() fails what waits with shutting-down and refuses new sends', async () => {
    const link = new FakeLink();
    const queue = queueOn(link);
    const waiting = queue.send('<a/>');
    queue.close();
    await assert.rejects(waiting, (error: GatewayError) => error.kind === 'shutting-down');
    await assert.rejects(queue.send('<b/>'), (error: GatewayError) => error.kind === 'shutting-down');
  });

  it('resolves once the marker after it comes back, not when the socket took it', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link);
    let resolved = false;
    const sent = queue.send('<a/>').then(() => (resolved = true));
    await tick();
    link.flush();
    await tick();
    assert.equal(resolved, false, 'written is not processed');
    assert.equal(queue.unacknowledged, 1);
    assert.ok(queue.oldestUnanswered() !== undefined);
    link.answer(queue);
    await sent;
    assert.equal(queue.unacknowledged, 0);
    assert.equal(queue.oldestUnanswered(), undefined);
  });

  it('a marker acknowledges every batch written before it (the server works in order)', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link);
    const first = queue.send('<a/>');
    await tick();
    link.flush();
    const second = queue.send('<b/>');
    await tick();
    link.flush();
    await tick();
    assert.equal(link.markers.length, 2);
    const [, last] = link.markers.splice(0);
    queue.acknowledge(new Element('iq', { type: 'get', from: DOMAIN, to: DOMAIN, id: last! }));
    await Promise.all([first, second]);
  });

  it('only markers from its own domain with its own ids count', () => {
    const link = new FakeLink();
    const queue = queueOn(link);
    const forged = [
      new Element('iq', { type: 'get', from: 'mallory@example.net', to: DOMAIN, id: 'sg-ack-000000000000-1' }),
      new Element('iq', { type: 'get', from: DOMAIN, to: DOMAIN, id: 'sg-ack-000000000000-1' }),
      new Element('message', { from: DOMAIN, to: DOMAIN, id: 'sg-ack-x-1' }),
    ];
    for (const element of forged) assert.equal(queue.acknowledge(element), false);
  });

  it('the window bounds what is written and not yet acknowledged; an acknowledgement frees it', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link, { window: 2 });
    const sends = ['<a/>', '<b/>', '<c/>', '<d/>', '<e/>'].map((xml) => queue.send(xml));
    for (let round = 0; round < 3; round += 1) {
      await tick();
      link.flush();
    }
    assert.deepEqual(link.writes, ['<a/>', '<b/>'], 'two in flight at most');
    assert.equal(queue.size, 3);
    assert.equal(queue.unacknowledged, 2);
    link.answer(queue);
    for (let round = 0; round < 3; round += 1) {
      await tick();
      link.flush();
    }
    assert.deepEqual(link.writes, ['<a/>', '<b/>', '<c/>'], 'one acknowledged, one more written');
    assert.equal(queue.unacknowledged, 2);
    await serve(link, queue);
    await Promise.all(sends);
    assert.equal(link.writes.join(''), '<a/><b/><c/><d/><e/>');
  });

  it('what was written but not acknowledged when the link dropped is written again, in order, ids kept', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link);
    const sends = [queue.send("<message id='1'/>"), queue.send("<message id='2'/>")];
    await tick();
    link.flush();
    await tick();
    link.flush();
    await tick();
    assert.equal(link.writes.join(''), "<message id='1'/><message id='2'/>");
    const later = queue.send("<message id='3'/>");
    link.goOffline();
    assert.equal(queue.size, 3, 'all three wait for the link');
    link.writes = [];
    link.goOnline();
    await serve(link, queue);
    await Promise.all([...sends, later]);
    assert.deepEqual(link.writes, ["<message id='1'/><message id='2'/><message id='3'/>"]);
  });

  it('written, then not acknowledged nor written again before the deadline: unconfirmed, never written again', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link, { deadlineMs: 40 });
    const sent = queue.send('<a/>');
    await tick();
    link.flush();
    link.goOffline();
    await assert.rejects(sent, (error: GatewayError) => error.kind === 'unconfirmed' && error.http === 503);
    link.goOnline();
    await serve(link, queue);
    assert.deepEqual(link.writes, ['<a/>'], 'the sender was told; the gateway does not write it again');
  });

  it('in flight past the deadline while online (a server too slow): unconfirmed', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link, { deadlineMs: 40 });
    const sent = queue.send('<a/>');
    await tick();
    link.flush();
    await assert.rejects(sent, (error: GatewayError) => error.kind === 'unconfirmed' && error.retryAfterSeconds === 1);
    assert.equal(queue.unacknowledged, 0);
  });

  it('until written (an iq request): settles when the socket takes it, takes no room in the window, is not written again', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link, { window: 1 });
    const iq = queue.send("<iq type='get'/>", { until: 'written' });
    await tick();
    link.flush();
    await iq;
    assert.equal(link.markers.length, 0, 'no marker after a batch of iq requests only');
    assert.equal(queue.unacknowledged, 0);
    const sends = [queue.send("<iq type='set'/>", { until: 'written' }), queue.send('<message/>')];
    const [written] = sends;
    for (let round = 0; round < 3; round += 1) {
      await tick();
      link.flush();
    }
    await written;
    assert.equal(link.writes.join(''), "<iq type='get'/><iq type='set'/><message/>", 'the iqs used no room');
    assert.equal(link.markers.length, 1);
    assert.equal(queue.unacknowledged, 1);
    link.goOffline();
    link.goOnline();
    await serve(link, queue);
    await Promise.all(sends);
    assert.equal(
      link.writes.join(''),
      "<iq type='get'/><iq type='set'/><message/><message/>",
      'only the message again',
    );
  });

  it("the server's error for a stanza in flight is that send's result", async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link);
    const sent = parseStanza("<message to='nobody@example.net' id='m1'><body>hi</body></message>", {
      domain: DOMAIN,
      maxBytes: 4096,
      maxStanzaBytes: 4096,
    });
    const result = queue.send(sent.toXml(), { bounceOf: sent });
    await tick();
    link.flush();
    const inbound = (xml: string) => decodeInbound(parseXmlElement(xml, { maxBytes: 4096 }), DOMAIN)!;
    const error = "<error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>";
    assert.equal(
      queue.takeBounce(
        inbound(`<message from='nobody@example.net' to='${DOMAIN}' type='error' id='other'>${error}</message>`),
      ),
      false,
      'another id',
    );
    assert.equal(
      queue.takeBounce(
        inbound(`<message from='alice@example.net' to='${DOMAIN}' type='error' id='m1'>${error}</message>`),
      ),
      false,
      'from elsewhere',
    );
    assert.equal(
      queue.takeBounce(inbound(`<message from='nobody@example.net' to='${DOMAIN}' type='chat' id='m1'/>`)),
      false,
      'not an error',
    );
    const bounce = inbound(`<message from='nobody@example.net' to='${DOMAIN}' type='error' id='m1'>${error}</message>`);
    assert.equal(queue.takeBounce(bounce), true);
    assert.equal(await result, bounce);
    assert.equal(queue.takeBounce(bounce), false, 'taken once');
    while (link.answer(queue));
    assert.equal(queue.unacknowledged, 0);
  });

  it('ping() writes a marker alone; its answer clears it', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = queueOn(link);
    queue.ping();
    assert.deepEqual(link.writes, ['']);
    assert.equal(link.markers.length, 1);
    assert.ok(queue.oldestUnanswered() !== undefined);
    link.answer(queue);
    assert.equal(queue.oldestUnanswered(), undefined);
  });
});
