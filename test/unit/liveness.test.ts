import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkLiveness } from '../../src/xmpp/liveness.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A probe whose pings are answered only when the test says so. */
function probe() {
  const state = { pings: 0, outstanding: undefined as number | undefined, dead: [] as string[] };
  return {
    state,
    oldestUnanswered: () => state.outstanding,
    ping: () => {
      state.pings += 1;
      state.outstanding ??= performance.now();
    },
    dead: (reason: string) => void state.dead.push(reason),
  };
}

describe('LinkLiveness', () => {
  it('pings after the interval of silence, not while stanzas arrive', async () => {
    const fake = probe();
    const liveness = new LinkLiveness({ intervalMs: 80, timeoutMs: 1000 }, fake);
    liveness.start();
    for (let i = 0; i < 6; i += 1) {
      await sleep(20);
      liveness.heard();
    }
    assert.equal(fake.state.pings, 0, 'a link that is heard from is not pinged');
    await sleep(150);
    assert.equal(fake.state.pings, 1);
    liveness.stop();
  });

  it('an unanswered ping past the timeout declares the link dead, once', async () => {
    const fake = probe();
    const liveness = new LinkLiveness({ intervalMs: 40, timeoutMs: 60 }, fake);
    liveness.start();
    await sleep(250);
    assert.equal(fake.state.dead.length, 1);
    assert.match(fake.state.dead[0]!, /did not answer within 60 ms/);
    await sleep(100);
    assert.equal(fake.state.dead.length, 1, 'it stops watching until started again');
  });

  it('an answered ping keeps the link alive', async () => {
    const fake = probe();
    const liveness = new LinkLiveness({ intervalMs: 30, timeoutMs: 60 }, fake);
    liveness.start();
    const answering = setInterval(() => {
      if (fake.state.outstanding !== undefined) {
        fake.state.outstanding = undefined;
        liveness.heard();
      }
    }, 5);
    await sleep(300);
    clearInterval(answering);
    liveness.stop();
    assert.ok(fake.state.pings >= 3, `${fake.state.pings} pings`);
    assert.deepEqual(fake.state.dead, []);
  });

  it('a marker unanswered for the timeout counts even while other stanzas arrive', async () => {
    const fake = probe();
    fake.state.outstanding = performance.now();
    const liveness = new LinkLiveness({ intervalMs: 1000, timeoutMs: 60 }, fake);
    liveness.start();
    const chatter = setInterval(() => liveness.heard(), 5);
    await sleep(200);
    clearInterval(chatter);
    assert.equal(fake.state.dead.length, 1);
  });
});
