import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InsertAck } from '../../src/db/log-writer.ts';
import type { DeliveryRecord } from '../../src/db/records.ts';
import { createLogger } from '../../src/log.ts';
import { Backlog } from '../../src/webhooks/backlog.ts';
import { ConcurrencyLimit } from '../../src/webhooks/concurrency-limit.ts';
import { newDeliveryRecord } from '../../src/webhooks/delivery-record.ts';
import { stanzaFromLog } from '../../src/webhooks/stored-stanza.ts';
import { waitUntil } from '../support/wait.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function pendingRow(id: string): DeliveryRecord {
  const stanza = stanzaFromLog(
    `<message id='${id}' from='alice@localhost/phone' to='bot@rest.localhost'><body>hi</body></message>`,
    'rest.localhost',
  )!;
  return newDeliveryRecord(stanza, null);
}

/** A Backlog whose reads go to `read`, with the log up and written. */
function backlog(read: () => Promise<DeliveryRecord[]>, taken: DeliveryRecord[]): Backlog {
  return new Backlog({
    store: { pendingAfter: read },
    writer: { written: async () => {}, insertOnly: async (): Promise<InsertAck> => 'stored' },
    room: () => 10,
    isActive: () => false,
    take: (row) => taken.push(row),
    log: createLogger('silent'),
  });
}

describe('Backlog', () => {
  it('a read that fails while the log stays up is tried again by itself', async () => {
    const row = pendingRow('m1');
    const taken: DeliveryRecord[] = [];
    let reads = 0;
    const rows = backlog(async () => {
      reads += 1;
      if (reads === 1) throw new Error('a query failed');
      return reads === 2 ? [row] : [];
    }, taken);
    rows.resume();
    await waitUntil(() => taken.length === 1, 2000, 'the row, read again after the failure');
    assert.equal(taken[0]!.id, row.id);
    assert.equal(rows.waiting, false, 'a short page: nothing more waits');
    rows.stop();
  });

  it('stop() ends the retries', async () => {
    let reads = 0;
    const rows = backlog(async () => {
      reads += 1;
      throw new Error('a query failed');
    }, []);
    rows.resume();
    await waitUntil(() => reads === 1, 1000, 'the first read');
    rows.stop();
    await sleep(600);
    assert.equal(reads, 1);
  });
});

describe('ConcurrencyLimit', () => {
  it('a waiter with a deadline leaves the queue at it and is never handed a slot later', async () => {
    const limit = new ConcurrencyLimit(1);
    let release!: () => void;
    const holder = limit.run(() => new Promise<string>((resolve) => (release = () => resolve('held'))));
    const started = Date.now();
    let ran = false;
    const late = await limit.run(
      async () => {
        ran = true;
        return 'ran';
      },
      { deadline: started + 50, expired: () => 'expired' },
    );
    assert.equal(late, 'expired');
    assert.ok(Date.now() - started >= 45, `expired after ${Date.now() - started} ms`);
    const next = limit.run(async () => 'next');
    release();
    assert.deepEqual(await Promise.all([holder, next]), ['held', 'next']);
    assert.equal(ran, false);
    assert.equal(limit.running, 0);
  });

  it('a deadline already past: expired at once, even with a slot free; one still ahead: runs', async () => {
    const limit = new ConcurrencyLimit(1);
    assert.equal(await limit.run(async () => 'ran', { deadline: Date.now() - 1, expired: () => 'expired' }), 'expired');
    assert.equal(await limit.run(async () => 'ran', { deadline: Date.now() + 1000, expired: () => 'expired' }), 'ran');
    assert.equal(limit.running, 0);
  });
});
