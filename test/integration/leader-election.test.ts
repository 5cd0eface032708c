import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { leaseStore } from '../../src/db/leader-lease.ts';
import { LeaderElection } from '../../src/ha/leader-election.ts';
import { createLogger } from '../../src/log.ts';
import { createTestDatabase, queryDatabase, type TestDatabase } from '../support/postgres.ts';
import { freePort } from '../support/ports.ts';
import { tcpProxy, viaProxy } from '../support/tcp-proxy.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * The leader lease on a real Postgres (src/ha/leader-election.ts): one leader at a time, a
 * released lease taken at once, an unrenewed one only after it ended, and a leader cut off from
 * the database gives up before anybody else can take over.
 */
let database: TestDatabase;
const log = createLogger('silent');
const running: LeaderElection[] = [];

before(async () => {
  database = await createTestDatabase();
});

after(async () => {
  for (const election of running) await election.stop();
  await database?.drop();
});

interface Timed {
  election: LeaderElection;
  electedAt?: number;
  lostAt?: number;
}

function candidate(domain: string, leaseMs: number, url = database.url): Timed {
  const election = new LeaderElection(
    leaseStore({ url, domain, holder: `test-${running.length}`, timeoutMs: leaseMs / 4 }, log),
    { leaseMs },
    log,
  );
  running.push(election);
  const timed: Timed = { election };
  election.on('elected', () => (timed.electedAt = performance.now()));
  election.on('lost', () => (timed.lostAt = performance.now()));
  election.start();
  return timed;
}

const leaders = (all: Timed[]) => all.filter((each) => each.election.state === 'leader');

it('elects exactly one of three, and a graceful stop hands over at once', async () => {
  const all = [candidate('one.localhost', 1000), candidate('one.localhost', 1000), candidate('one.localhost', 1000)];
  await waitUntil(() => leaders(all).length === 1, 5000, 'a leader');
  // Several renewals and attempts later, still one.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(leaders(all).length, 1);
  const first = leaders(all)[0]!;
  const epoch = first.election.epoch!;
  const stopped = performance.now();
  await first.election.stop();
  await waitUntil(() => leaders(all).length === 1, 2000, 'the next leader');
  const next = leaders(all)[0]!;
  // Released: taken at the next attempt (a twentieth of the lease), not after the lease.
  assert.ok(next.electedAt! - stopped < 600, `took over after ${Math.round(next.electedAt! - stopped)} ms`);
  assert.ok(next.election.epoch! > epoch, 'a new epoch');
});

it('a leader that dies is replaced once its lease has ended, not before', async () => {
  // What SIGKILL leaves behind: a lease nobody renews, ending in 1.2 s by the database's clock.
  const first = candidate('two.localhost', 1000);
  await waitUntil(() => first.election.state === 'leader', 5000, 'the table (made by the first start)');
  await first.election.stop();
  await queryDatabase(
    database.url,
    `UPDATE "LeaderLease" SET holder = 'dead', "expiresAt" = clock_timestamp() + interval '1200 milliseconds'
     WHERE domain = 'two.localhost'`,
  );
  const started = performance.now();
  const second = candidate('two.localhost', 1000);
  await new Promise((resolve) => setTimeout(resolve, 900));
  assert.equal(second.election.state, 'standby', 'no take-over while the lease runs');
  await waitUntil(() => second.election.state === 'leader', 3000, 'the take-over');
  const after = second.electedAt! - started;
  assert.ok(after >= 1150 && after < 1600, `took over ${Math.round(after)} ms after, the lease ending at 1200 ms`);
});

it('a leader cut off from the database gives up before another can take over', async () => {
  const leaseMs = 1500;
  const proxy = tcpProxy(await freePort(), { host: '127.0.0.1', port: Number(new URL(database.url).port || 5432) });
  await proxy.start();
  const cutOff = candidate('three.localhost', leaseMs, viaProxy(database.url, proxy));
  await waitUntil(() => cutOff.election.state === 'leader', 5000, 'the first leader');
  const other = candidate('three.localhost', leaseMs);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(other.election.state, 'standby');
  const cut = performance.now();
  await proxy.stop();
  await waitUntil(() => other.election.state === 'leader', 5000, 'the take-over');
  assert.equal(cutOff.election.state, 'lost');
  // It gave up a third of the lease before the lease ended; the other took it after.
  assert.ok(cutOff.lostAt! < other.electedAt!, 'the old leader stepped down first');
  assert.ok(
    cutOff.lostAt! - cut <= (leaseMs * 2) / 3 + 100,
    `gave up ${Math.round(cutOff.lostAt! - cut)} ms after the cut`,
  );
  assert.ok(
    other.electedAt! - cutOff.lostAt! >= leaseMs / 3 - 300,
    `${Math.round(other.electedAt! - cutOff.lostAt!)} ms between giving up and the take-over`,
  );
});
