import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LeaseStore } from '../../src/db/leader-lease.ts';
import { LeaderElection } from '../../src/ha/leader-election.ts';
import { createLogger } from '../../src/log.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * The election's own rules against a store it controls (the SQL is tested on Postgres in
 * test/integration/leader-election.test.ts): when it counts its lease from, when it gives up,
 * what it does with a lease won while stopping.
 */
const log = createLogger('silent');

/** A store whose answers the test sets: `fail` makes every call reject, `delayMs` slows them. */
function fakeStore() {
  const calls: string[] = [];
  const state = { holder: false, epoch: 0n, fail: false, delayMs: 0, refuseRenewal: false };
  const answer = async <T>(name: string, value: () => T): Promise<T> => {
    calls.push(name);
    if (state.delayMs) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    if (state.fail) throw new Error('database away');
    return value();
  };
  const store: LeaseStore = {
    prepare: () => answer('prepare', () => undefined),
    acquire: () =>
      answer('acquire', () => {
        if (state.holder) return undefined;
        state.epoch += 1n;
        return state.epoch;
      }),
    renew: () => answer('renew', () => !state.refuseRenewal),
    release: () => answer('release', () => undefined),
    close: () => Promise.resolve(),
  };
  return { store, state, calls };
}

describe('leader election', () => {
  it('takes a free lease, renews it, and holds it only while it has more than a third to run', async () => {
    const { store, state, calls } = fakeStore();
    const election = new LeaderElection(store, { leaseMs: 600 }, log);
    const elected: bigint[] = [];
    election.on('elected', (epoch) => elected.push(epoch));
    election.start();
    await waitUntil(() => election.state === 'leader', 1000, 'the election');
    assert.deepEqual(elected, [1n]);
    assert.equal(election.holds(), true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.ok(calls.filter((call) => call === 'renew').length >= 2, 'renewed every quarter of the lease');
    assert.equal(election.holds(), true, 'renewed: still holds');
    state.fail = true;
    const callsBefore = calls.length;
    const failedAt = performance.now();
    let lostAt = 0;
    election.on('lost', () => (lostAt = performance.now()));
    await waitUntil(() => election.state === 'lost', 1000, 'the step-down');
    // Given up two thirds of the lease after the last renewal sent, at the latest.
    assert.ok(lostAt - failedAt <= 400 + 50, `lost ${Math.round(lostAt - failedAt)} ms after the failures began`);
    assert.equal(election.holds(), false);
    // A failed call is tried again soon (not a quarter of the lease later): several tries first.
    const tries = calls.length - callsBefore;
    assert.ok(tries >= 4, `${tries} tries`);
    await election.stop();
  });

  it('gives up at once when the database refuses the renewal (the lease changed hands)', async () => {
    const { store, state } = fakeStore();
    const election = new LeaderElection(store, { leaseMs: 3000 }, log);
    const reasons: string[] = [];
    election.on('lost', (reason) => reasons.push(reason));
    election.start();
    await waitUntil(() => election.state === 'leader', 1000, 'the election');
    state.refuseRenewal = true;
    await waitUntil(() => election.state === 'lost', 1500, 'the step-down');
    assert.match(reasons[0]!, /ended or changed hands/);
  });

  it('stays standby while another holds the lease, and reports why it cannot reach the database', async () => {
    const { store, state } = fakeStore();
    state.holder = true;
    const election = new LeaderElection(store, { leaseMs: 1000 }, log);
    election.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(election.state, 'standby');
    assert.equal(election.lastError, undefined);
    state.fail = true;
    await waitUntil(() => election.lastError !== undefined, 1000, 'the error');
    assert.equal(election.lastError, 'database away');
    state.fail = false;
    state.holder = false;
    await waitUntil(() => election.state === 'leader', 1000, 'the take-over');
    assert.equal(election.lastError, undefined);
    await election.stop();
  });

  it('a lease won while stopping is released at once, and nothing is emitted', async () => {
    const { store, state, calls } = fakeStore();
    state.delayMs = 100;
    const election = new LeaderElection(store, { leaseMs: 1000 }, log);
    let elected = false;
    election.on('elected', () => (elected = true));
    election.start();
    // Stopped while its first acquire is on its way.
    await waitUntil(() => calls.includes('acquire'), 1000, 'the first acquire');
    await election.stop();
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(elected, false);
    assert.equal(election.state, 'stopped');
    assert.deepEqual(calls.slice(-2), ['acquire', 'release'], 'the lease it won, given back');
  });

  it('counts its lease from when the call was sent, after connecting: a slow connect costs nothing', async () => {
    const { store } = fakeStore();
    // prepare() takes most of the lease (a first connection, a migration); acquire is quick.
    const slowPrepare: LeaseStore = {
      ...store,
      prepare: () => new Promise((resolve) => setTimeout(resolve, 500)),
    };
    const election = new LeaderElection(slowPrepare, { leaseMs: 600 }, log);
    election.start();
    await waitUntil(() => election.state === 'leader', 2000, 'the election');
    assert.equal(election.holds(), true, 'the connect time is not counted against the lease');
    await election.stop();
  });
});
