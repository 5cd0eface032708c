import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { LogWriter } from '../../src/db/log-writer.ts';
import { createLogger } from '../../src/log.ts';
import { newDeliveryRecord } from '../../src/webhooks/delivery-record.ts';
import { stanzaFromLog } from '../../src/webhooks/stored-stanza.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LogWriter', () => {
  it('a batch failing after close() gave up: counted lost, its inserts answered, the log stays closed', async () => {
    let failBatch!: (error: Error) => void;
    let recoveries = 0;
    // A database whose write hangs until the test fails it, and that no longer answers.
    const prisma = {
      $executeRawUnsafe: () => new Promise((_resolve, reject) => (failBatch = reject)),
      $queryRaw: async () => {
        throw new Error('connection terminated');
      },
    } as unknown as PrismaClient;
    const writer = new LogWriter(
      prisma,
      { bufferMax: 100, retryMinMs: 5, retryMaxMs: 10, recover: async () => void (recoveries += 1) },
      createLogger('silent'),
    );
    await writer.start();
    const stanza = stanzaFromLog(
      `<message id='m1' from='alice@localhost/phone' to='bot@rest.localhost'><body>hi</body></message>`,
      'rest.localhost',
    )!;
    const stored = writer.insertOnly(newDeliveryRecord(stanza, null));
    await sleep(10);
    // close()'s own wait is unref'd: keep the test's event loop alive through it.
    await Promise.all([writer.close(20), sleep(30)]);
    assert.equal(writer.status().state, 'closed');
    failBatch(new Error('connection terminated'));
    assert.equal(await stored, 'dropped');
    await writer.written();
    await sleep(100);
    const status = writer.status();
    assert.equal(status.state, 'closed', 'not reopened by the failure');
    assert.equal(recoveries, 1, 'no recovery attempts after close');
    assert.deepEqual([status.lostRows, status.buffered], [1, 0]);
  });
});
