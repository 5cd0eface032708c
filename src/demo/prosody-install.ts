import { spawnSync } from 'node:child_process';

/**
 * The demo and the test suite need the `prosody` binary. As root they install Debian's
 * package themselves; otherwise they say exactly what to run.
 */
export const INSTALL_COMMAND = 'sudo apt-get update && sudo apt-get install -y prosody';

export class ProsodyMissing extends Error {
  constructor() {
    super(`Prosody is not installed. Install it with:\n  ${INSTALL_COMMAND}`);
    this.name = 'ProsodyMissing';
  }
}

function installed(): boolean {
  return !spawnSync('prosody', ['--help'], { stdio: 'ignore' }).error;
}

function apt(args: string[]): void {
  const result = spawnSync('apt-get', args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0)
    throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status ?? result.error?.message})`);
}

export function ensureProsodyInstalled(say: (line: string) => void): void {
  if (installed()) return;
  if (process.getuid?.() !== 0) throw new ProsodyMissing();
  say('Prosody is not installed; installing the Debian package (apt-get install -y prosody)…');
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', 'prosody']);
  if (!installed()) throw new Error('apt-get reported success but prosody is still missing');
}
