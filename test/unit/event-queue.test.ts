import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventQueue } from '../../src/flow/event-queue.ts';

const overflow = () => new Error('overflow');

describe('EventQueue', () => {
  it('hands events over in order, waiting for the next one', async () => {
    const queue = new EventQueue<number>(10, overflow);
    queue.push(1);
    assert.deepEqual(await queue.next(), { value: 1, done: false });
    const pending = queue.next();
    queue.push(2);
    assert.deepEqual(await pending, { value: 2, done: false });
  });

  it('on overflow: refuses the event, delivers what was buffered, then fails once and ends', async () => {
    let ended = 0;
    const queue = new EventQueue<number>(3, overflow, () => (ended += 1));
    assert.equal(
      [1, 2, 3].every((n) => queue.push(n)),
      true,
    );
    assert.equal(queue.push(4), false);
    assert.equal(queue.push(5), false);
    assert.equal(ended, 1);
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const n of queue) seen.push(n);
    }, /overflow/);
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(await queue.next(), { value: undefined, done: true });
  });

  it('a consumer that keeps up never overflows a small buffer', async () => {
    const queue = new EventQueue<number>(2, overflow);
    const seen: number[] = [];
    const reading = (async () => {
      for await (const n of queue) seen.push(n);
    })();
    for (let n = 0; n < 1000; n += 1) {
      assert.equal(queue.push(n), true);
      await new Promise((resolve) => setImmediate(resolve));
    }
    queue.close();
    await reading;
    assert.equal(seen.length, 1000);
  });

  it('return() (the client went away) ends it at once, drops the buffer and calls onEnd', async () => {
    let ended = 0;
    const queue = new EventQueue<number>(5, overflow, () => (ended += 1));
    queue.push(1);
    const waiting = new EventQueue<number>(5, overflow);
    const blocked = waiting.next();
    await waiting.return();
    assert.deepEqual(await blocked, { value: undefined, done: true });
    await queue.return();
    assert.equal(ended, 1);
    assert.equal(queue.push(2), false);
    assert.deepEqual(await queue.next(), { value: undefined, done: true });
  });

  it('stays in order across the compaction of its storage', async () => {
    const queue = new EventQueue<number>(5000, overflow);
    for (let round = 0; round < 10; round += 1) {
      for (let n = 0; n < 3000; n += 1) queue.push(n);
      for (let n = 0; n < 3000; n += 1) assert.equal((await queue.next()).value, n);
    }
    assert.equal(queue.size, 0);
  });
});
