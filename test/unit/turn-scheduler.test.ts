import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventQueue } from '../../src/flow/event-queue.ts';
import { TurnScheduler } from '../../src/flow/turn-scheduler.ts';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('TurnScheduler', () => {
  it('runs turns in order, in slices that leave the event loop free in between', async () => {
    const scheduler = new TurnScheduler(4);
    const ran: number[] = [];
    // A timer due at once must not wait for all the turns (200 × 1 ms).
    let timerAfterTurns: number | undefined;
    setTimeout(() => (timerAfterTurns = ran.length), 0);
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 200; i += 1)
        scheduler.enqueue(() => {
          busy(1);
          ran.push(i);
          if (i === 199) resolve();
        });
    });
    assert.deepEqual(
      ran,
      Array.from({ length: 200 }, (_, i) => i),
    );
    assert.ok(timerAfterTurns !== undefined && timerAfterTurns < 50, `the timer ran after ${timerAfterTurns} turns`);
  });

  it('event queues take turns: consumers of a burst go round robin, each in order', async () => {
    const scheduler = new TurnScheduler(1);
    const order: string[] = [];
    const queues = ['a', 'b', 'c'].map((name) => ({
      name,
      queue: new EventQueue<number>(100, () => new Error('overflow'), undefined, scheduler),
    }));
    const consumers = queues.map(async ({ name, queue }) => {
      for await (const n of queue) {
        busy(2);
        order.push(`${name}${n}`);
        if (n === 2) return;
      }
    });
    for (let n = 0; n < 3; n += 1) for (const { queue } of queues) queue.push(n);
    await Promise.all(consumers);
    // Each consumer's own events in order; with 2 ms per event and 1 ms slices, nobody runs twice in a row.
    for (const { name } of queues) {
      assert.deepEqual(
        order.filter((entry) => entry.startsWith(name)),
        [0, 1, 2].map((n) => `${name}${n}`),
      );
    }
    for (let i = 1; i < order.length; i += 1) assert.notEqual(order[i]![0], order[i - 1]![0], order.join(' '));
  });
});
