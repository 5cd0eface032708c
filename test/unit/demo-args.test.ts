import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DEMO_HELP, DemoUsageError, parseDemoArgs } from '../../src/demo/demo-args.ts';

it('reads --self-check, --replicas N or --replicas=N, and --help (which wins over any mistake)', () => {
  assert.deepEqual(parseDemoArgs([]), { kind: 'run', selfCheck: false, replicas: undefined });
  assert.deepEqual(parseDemoArgs(['--self-check']), { kind: 'run', selfCheck: true, replicas: undefined });
  assert.deepEqual(parseDemoArgs(['--replicas', '2']), { kind: 'run', selfCheck: false, replicas: 2 });
  assert.deepEqual(parseDemoArgs(['--replicas=9', '--self-check']), { kind: 'run', selfCheck: true, replicas: 9 });
  assert.deepEqual(parseDemoArgs(['--replicas', 'x', '--help']), { kind: 'help' });
  assert.match(DEMO_HELP, /--replicas N/);
});

it('refuses a replica count that is missing, not a whole number, or outside 2 to 9, and unknown options', () => {
  for (const [argv, message] of [
    [['--replicas'], /--replicas needs a number, e.g. --replicas 2/],
    [['--replicas', '--self-check'], /--replicas needs a number/],
    [['--replicas', '1'], /from 2 to 9 \(it is "1"\)/],
    [['--replicas', '10'], /from 2 to 9 \(it is "10"\)/],
    [['--replicas', '2.5'], /from 2 to 9 \(it is "2.5"\)/],
    [['--replicas', ' 3'], /from 2 to 9 \(it is " 3"\)/],
    [['--replicas='], /from 2 to 9 \(it is ""\)/],
    [['--replica', '2'], /unknown option --replica/],
  ] as const) {
    assert.throws(
      () => parseDemoArgs(argv),
      (error: unknown) =>
        error instanceof DemoUsageError &&
        message.test(error.message) &&
        /`npm run demo -- --help`/.test(error.message),
      argv.join(' '),
    );
  }
});
