import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Part, StartOrder } from '../../src/flow/start-order.ts';

/** Parts that write what happens to them into one journal. */
function parts(names: string[], failing: { start?: string; stop?: string } = {}) {
  const journal: string[] = [];
  const made = names.map((name): Part => ({
    async start() {
      await Promise.resolve();
      if (failing.start === name) throw new Error(`${name} cannot start`);
      journal.push(`start ${name}`);
    },
    stop() {
      journal.push(`stop ${name}`);
      if (failing.stop === name) throw new Error(`${name} cannot stop`);
    },
  }));
  return { order: new StartOrder(made), journal };
}

describe('StartOrder', () => {
  it('starts in the order given and stops in reverse, once', async () => {
    const { order, journal } = parts(['database', 'dispatcher', 'pruner']);
    await order.start();
    await order.stop();
    await order.stop();
    assert.deepEqual(journal, [
      'start database',
      'start dispatcher',
      'start pruner',
      'stop pruner',
      'stop dispatcher',
      'stop database',
    ]);
  });

  it('a failed start stops what already started, last first, and throws its own error', async () => {
    const { order, journal } = parts(['client', 'database', 'dispatcher', 'pruner'], {
      start: 'dispatcher',
      stop: 'database',
    });
    await assert.rejects(order.start(), /dispatcher cannot start/);
    assert.deepEqual(journal, ['start client', 'start database', 'stop database', 'stop client']);
    // Nothing is left to stop.
    await order.stop();
    assert.equal(journal.length, 4);
  });

  it('a stop that fails does not keep the parts before it running; its error comes at the end', async () => {
    const { order, journal } = parts(['client', 'database', 'dispatcher'], { stop: 'dispatcher' });
    await order.start();
    await assert.rejects(order.stop(), /dispatcher cannot stop/);
    assert.deepEqual(journal.slice(3), ['stop dispatcher', 'stop database', 'stop client']);
  });

  it('stop before start stops nothing', async () => {
    const { order, journal } = parts(['client']);
    await order.stop();
    assert.deepEqual(journal, []);
  });
});
