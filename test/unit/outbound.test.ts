import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { OutboundQueue } from '../../src/xmpp/outbound.ts';

/** A link whose socket accepts a write only when the test says so. */
class FakeLink extends EventEmitter {
  online = false;
  failed = false;
  writes: string[] = [];
  pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  write(data: string): Promise<void> {
    this.writes.push(data);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  retryAfterSeconds(): number {
    return 7;
  }
  goOnline(): void {
    this.online = true;
    this.emit('online');
  }
  flush(): void {
    for (const write of this.pending.splice(0)) write.resolve();
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('OutboundQueue', () => {
  it('writes one batch at a time and coalesces what queued meanwhile', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = new OutboundQueue(link, { deadlineMs: 1000, queueMax: 100 });
    const first = queue.send('<a/>');
    const rest = [queue.send('<b/>'), queue.send('<c/>')];
    await tick();
    assert.deepEqual(link.writes, ['<a/>'], 'the second write waits for the socket to accept the first');
    link.flush();
    await first;
    await tick();
    assert.deepEqual(link.writes, ['<a/>', '<b/><c/>']);
    link.flush();
    await Promise.all(rest);
    assert.equal(queue.size, 0);
  });

  it('waits for the link, then sends in order', async () => {
    const link = new FakeLink();
    const queue = new OutboundQueue(link, { deadlineMs: 1000, queueMax: 100 });
    const sends = [queue.send('<a/>'), queue.send('<b/>')];
    await tick();
    assert.deepEqual(link.writes, []);
    link.goOnline();
    await tick();
    link.flush();
    await Promise.all(sends);
    assert.deepEqual(link.writes, ['<a/><b/>']);
  });

  it('fails with link-down and Retry-After when the deadline passes', async () => {
    const link = new FakeLink();
    const queue = new OutboundQueue(link, { deadlineMs: 30, queueMax: 100 });
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
    const queue = new OutboundQueue(link, { deadlineMs: 30, queueMax: 100 });
    void queue.send('<a/>');
    await tick();
    await assert.rejects(
      queue.send('<b/>'),
      (error: GatewayError) => error.kind === 'queue-full' && error.retryAfterSeconds === 1,
    );
  });

  it('a link refused for good fails what waits and every new send at once, without Retry-After', async () => {
    const link = new FakeLink();
    const queue = new OutboundQueue(link, { deadlineMs: 10_000, queueMax: 100 });
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
    const queue = new OutboundQueue(link, { deadlineMs: 5, queueMax: 10_000 });
    for (let round = 0; round < 5; round += 1) {
      await Promise.all(Array.from({ length: 200 }, () => queue.send('<a/>').catch(() => {})));
    }
    assert.equal(queue.size, 0);
    assert.ok(queue.held < 300, `${queue.held} entries held after 1000 expired`);
  });

  it('a reply is still accepted after close(): every inbound iq gets its answer', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = new OutboundQueue(link, { deadlineMs: 1000, queueMax: 100 });
    queue.close();
    await assert.rejects(queue.send('<a/>'), (error: GatewayError) => error.kind === 'shutting-down');
    const reply = queue.send('<iq type="result"/>', undefined, { reply: true });
    await tick();
    link.flush();
    await reply;
    assert.deepEqual(link.writes, ['<iq type="result"/>']);
  });

  it('a shorter per-call deadline wins', async () => {
    const link = new FakeLink();
    const queue = new OutboundQueue(link, { deadlineMs: 10_000, queueMax: 100 });
    const started = Date.now();
    await assert.rejects(queue.send('<a/>', 20), (error: GatewayError) => error.kind === 'link-down');
    assert.ok(Date.now() - started < 1000);
  });

  it('is bounded: queue-full beyond the limit', async () => {
    const link = new FakeLink();
    const queue = new OutboundQueue(link, { deadlineMs: 50, queueMax: 2 });
    const waiting = [queue.send('<a/>'), queue.send('<b/>')].map((p) => p.catch(() => 'expired'));
    await assert.rejects(queue.send('<c/>'), (error: GatewayError) => error.kind === 'queue-full');
    assert.deepEqual(await Promise.all(waiting), ['expired', 'expired']);
  });

  it('requeues a batch whose write failed and sends it after reconnecting', async () => {
    const link = new FakeLink();
    link.online = true;
    const queue = new OutboundQueue(link, { deadlineMs: 1000, queueMax: 100 });
    const sent = queue.send('<a/>');
    await tick();
    link.online = false;
    link.pending.shift()!.reject(new Error('socket closed'));
    await tick();
    assert.equal(queue.size, 1);
    link.goOnline();
    await tick();
    link.flush();
    await sent;
    assert.deepEqual(link.writes, ['<a/>', '<a/>']);
  });

  it('close() fails what waits with shutting-down and refuses new sends', async () => {
    const link = new FakeLink();
    const queue = new OutboundQueue(link, { deadlineMs: 1000, queueMax: 100 });
    const waiting = queue.send('<a/>');
    queue.close();
    await assert.rejects(waiting, (error: GatewayError) => error.kind === 'shutting-down');
    await assert.rejects(queue.send('<b/>'), (error: GatewayError) => error.kind === 'shutting-down');
  });
});
