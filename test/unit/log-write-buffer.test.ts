import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { InsertAck, LogOp } from '../../src/db/log-batch.ts';
import { WriteBuffer } from '../../src/db/write-buffer.ts';
import { createLogger } from '../../src/log.ts';
import { newDeliveryRecord } from '../../src/webhooks/delivery-record.ts';
import { stanzaFromLog } from '../../src/webhooks/stored-stanza.ts';

/** The delivery log's write buffer alone: its bound, and that every write it loses is answered and counted. */
function buffer(max: number) {
  const lines: { msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  return { buffer: new WriteBuffer(max, createLogger('info', sink)), lines };
}

const stanza = stanzaFromLog(
  `<message id='m1' from='alice@localhost/phone' to='bot@rest.localhost'><body>hi</body></message>`,
  'rest.localhost',
)!;

/** An insert op and what it was answered (undefined while nobody answered). */
function insert(): { op: LogOp; answer: () => InsertAck | undefined } {
  let answer: InsertAck | undefined;
  const op: LogOp = { kind: 'insert', row: newDeliveryRecord(stanza, null), ack: (result) => (answer ??= result) };
  return { op, answer: () => answer };
}
const update = (id: string): LogOp => ({ kind: 'update', id, patch: { attemptCount: 1, updatedAt: new Date(0) } });

describe('WriteBuffer', () => {
  it('holds at most its bound: past it the oldest write is dropped, counted, and its insert answered', () => {
    const { buffer: writes, lines } = buffer(3);
    const first = insert();
    const second = insert();
    writes.push(first.op);
    writes.push(second.op);
    writes.push(update('a'));
    assert.deepEqual([writes.queued, writes.lostRows, first.answer()], [3, 0, undefined]);
    writes.push(update('b'));
    assert.deepEqual([writes.queued, writes.lostRows, first.answer(), second.answer()], [3, 1, 'dropped', undefined]);
    writes.push(update('c'));
    writes.push(update('d'));
    assert.deepEqual([writes.queued, writes.lostRows, second.answer()], [3, 3, 'dropped']);
    // The newest writes are the ones kept, in order.
    assert.deepEqual(
      writes.take(10).map((op) => (op.kind === 'update' ? op.id : op.kind)),
      ['b', 'c', 'd'],
    );
    // One line for the first loss, not one per write lost.
    assert.deepEqual(
      lines.map((line) => line.msg),
      ['delivery log buffer full: dropping the oldest writes'],
    );
  });

  it('the batch being written does not count against the bound, but stays buffered until it settles', () => {
    const { buffer: writes } = buffer(2);
    writes.push(update('a'));
    writes.push(update('b'));
    const batch = writes.take(10);
    writes.push(update('c'));
    writes.push(update('d'));
    assert.deepEqual([writes.queued, writes.buffered, writes.lostRows], [2, 4, 0]);
    writes.written(batch);
    writes.batchSettled();
    assert.deepEqual([writes.queued, writes.buffered], [2, 2]);
  });

  it('a read after the writes waits until each is written or lost, the dropped ones included', async () => {
    const { buffer: writes } = buffer(1);
    writes.push(update('a'));
    writes.push(update('b'));
    let reached = false;
    const read = writes.reached().then(() => (reached = true));
    await Promise.resolve();
    assert.equal(reached, false, "'b' is not written yet");
    writes.written(writes.take(10));
    await read;
    assert.equal(reached, true);
  });

  it('closed, it loses what is left and every later write, and answers their inserts', async () => {
    const { buffer: writes } = buffer(10);
    const queued = insert();
    writes.push(queued.op);
    writes.close('lost at shutdown');
    const late = insert();
    writes.push(late.op);
    assert.deepEqual([queued.answer(), late.answer(), writes.queued, writes.lostRows], ['dropped', 'dropped', 0, 2]);
    await writes.reached();
  });
});
