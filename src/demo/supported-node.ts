import { spawn } from 'node:child_process';
import { atLeast, MINIMUM_NODE } from '../runtime.ts';

/**
 * `npm test`, `npm run demo` and `npm run bench` on a machine whose own Node is older than
 * package.json's `engines` (Debian 12 ships 18; many machines still have 20, past its end of
 * life): rather than run on a Node the dependencies do not support, run again on Node 22 fetched
 * from the npm registry (`npx -y -p node@22`), so that the README's commands work as written.
 * Returns when this Node is supported; otherwise never (the process ends with the child's code).
 */
export async function runOnSupportedNode(what: string): Promise<void> {
  if (atLeast(process.versions.node)) return;
  const line = `${what}: Node ${process.versions.node} is older than the ${MINIMUM_NODE} this project needs`;
  if (process.env.STANZA_GATEWAY_NODE_FETCHED) {
    process.stderr.write(`${line}, even after fetching Node 22 from npm; install Node 22 or 24\n`);
    process.exit(1);
  }
  process.stderr.write(`${line}; running on Node 22 from the npm registry (npx -y -p node@22)\n`);
  const child = spawn('npx', ['-y', '-p', 'node@22', '--', 'node', ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    // The machine's own PATH, for what must see the machine as it is (the fresh-clone test).
    env: { ...process.env, STANZA_GATEWAY_NODE_FETCHED: '1', STANZA_GATEWAY_MACHINE_PATH: process.env.PATH },
  });
  // Ctrl-C reaches the child from the terminal (same process group); SIGTERM is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  const code = await new Promise<number>((resolve) =>
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))),
  );
  process.exit(code);
}
