import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SenderLanes } from '../../src/webhooks/sender-lanes.ts';

/** Per-sender order, with each item's end in the test's hands. */
function lanes() {
  const started: string[] = [];
  const finish = new Map<string, (failed?: boolean) => void>();
  const lane = new SenderLanes<string>(
    (item) =>
      new Promise<void>((resolve, reject) => {
        started.push(item);
        finish.set(item, (failed) => (failed ? reject(new Error(item)) : resolve()));
      }),
  );
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { lane, started, finish: (item: string, failed = false) => finish.get(item)!(failed), settle };
}

describe('sender lanes', () => {
  it("one sender's items run one at a time, in order; another sender's run beside them", async () => {
    const { lane, started, finish, settle } = lanes();
    lane.push('alice', 'a1');
    lane.push('alice', 'a2');
    lane.push('bob', 'b1');
    lane.push('alice', 'a3');
    await settle();
    assert.deepEqual(started, ['a1', 'b1'], 'a2 waits for a1; b1 does not');
    assert.equal(lane.queued, 2);
    assert.equal(lane.active, 2);
    finish('b1');
    await settle();
    assert.deepEqual(started, ['a1', 'b1'], "bob's end starts nothing of alice's");
    finish('a1');
    await settle();
    assert.deepEqual(started, ['a1', 'b1', 'a2']);
    finish('a2', true);
    await settle();
    assert.deepEqual(started, ['a1', 'b1', 'a2', 'a3'], 'a failure does not stall the lane');
    finish('a3');
    await settle();
    assert.equal(lane.active, 0);
  });

  it('closed: what runs finishes, nothing more starts, and later pushes are ignored', async () => {
    const { lane, started, finish, settle } = lanes();
    lane.push('alice', 'a1');
    lane.push('alice', 'a2');
    await settle();
    lane.close();
    lane.push('carol', 'c1');
    finish('a1');
    await settle();
    assert.deepEqual(started, ['a1']);
    assert.equal(lane.active, 0);
  });
});
