import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { runDemo } from '../support/demo-process.ts';

// `npm run demo -- --replicas N`: its command line, its need for Postgres, and a self-check of N
// gateway processes behind the ready proxy (the election itself is tested with the gateway).

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await database.drop();
});

it('a wrong --replicas stops the demo before it starts anything, saying what is wrong', async () => {
  // Every wrong form is in test/unit/demo-args.test.ts; here, what the command does with two of them.
  for (const [args, message] of [
    [['--replicas', '1'], /--replicas must be a whole number from 2 to 9 \(it is "1"\)/],
    [['--replicas=two'], /--replicas must be a whole number from 2 to 9 \(it is "two"\)/],
  ] as const) {
    const result = await runDemo([...args], { DATABASE_URL: database.url });
    assert.equal(result.code, 2, result.output);
    assert.match(result.output, message);
    assert.match(result.output, /`npm run demo -- --help` lists the options/);
    assert.doesNotMatch(result.output, /Prosody|Demo stopped/, 'nothing was started');
  }
  const help = await runDemo(['--help'], {});
  assert.equal(help.code, 0);
  assert.match(help.output, /--replicas N +run N gateway processes/);
  assert.match(help.output, /--self-check/);
});

it('--replicas without DATABASE_URL says to set it, with an example', async () => {
  const result = await runDemo(['--replicas', '2'], {});
  assert.equal(result.code, 2, result.output);
  assert.match(result.output, /demo: --replicas needs Postgres.*set DATABASE_URL/);
  assert.match(result.output, /DATABASE_URL=postgresql:\/\/\S+ npm run demo -- --replicas 2/);
});

it('--replicas with a DATABASE_URL that is not a postgres:// URL says so before connecting', async () => {
  const result = await runDemo(['--replicas', '2'], { DATABASE_URL: 'mysql://root:s3cret@127.0.0.1/db' });
  assert.equal(result.code, 2, result.output);
  assert.match(result.output, /demo: DATABASE_URL must be a postgres:\/\/ URL/);
  assert.doesNotMatch(result.output, /s3cret/);
});

it('--replicas with a Postgres that does not answer says so, without its password', async () => {
  const result = await runDemo(['--replicas', '2'], {
    DATABASE_URL: 'postgresql://postgres:s3cret-password@127.0.0.1:9/nothing',
  });
  assert.equal(result.code, 1, result.output);
  assert.match(
    result.output,
    /DATABASE_URL \(postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:9\/nothing\) does not answer/,
  );
  assert.doesNotMatch(result.output, /s3cret-password/);
});

it('--replicas 2 --self-check: every face works through the proxy, and no replica is left running', async () => {
  const result = await runDemo(['--replicas', '2', '--self-check'], { DATABASE_URL: database.url });
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /demo self-check passed/);
  const chosen = /proxy: now sending to replica [12] \(port \d+, pid (\d+)\)/.exec(result.output);
  assert.ok(chosen, result.output);
  assert.throws(() => process.kill(Number(chosen[1]), 0), /ESRCH/, 'the replica was stopped');
});
