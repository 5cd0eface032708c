import { spawnSync } from 'node:child_process';
import type { ServerKind } from './local-server.ts';

/**
 * The demo, the test suite and the benchmark need an XMPP server's binaries (Prosody, or
 * ejabberd for `XMPP_TEST_SERVER=ejabberd` and the benchmark's ejabberd section). As root they
 * install Debian's packages themselves; otherwise they say exactly what to run.
 */
const PACKAGES: Record<ServerKind, { binary: string; packages: string[] }> = {
  prosody: { binary: 'prosody', packages: ['prosody'] },
  // erlang-p1-oauth2 is only suggested by the package, but ejabberd cannot issue OAuth tokens
  // (its HTTP API, in the benchmark) without it.
  ejabberd: { binary: 'ejabberdctl', packages: ['ejabberd', 'erlang-p1-oauth2'] },
};

export function installCommand(kind: ServerKind): string {
  return `sudo apt-get update && sudo apt-get install -y ${PACKAGES[kind].packages.join(' ')}`;
}

export class ServerMissing extends Error {
  constructor(kind: ServerKind) {
    super(`${kind} is not installed. Install it with:\n  ${installCommand(kind)}`);
    this.name = 'ServerMissing';
  }
}

function packageInstalled(name: string): boolean {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  // Without dpkg (not Debian), the binary alone decides.
  if (result.error) return true;
  return result.status === 0 && result.stdout.includes('install ok installed');
}

export function serverInstalled(kind: ServerKind): boolean {
  const { binary, packages } = PACKAGES[kind];
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
  return found && packages.every(packageInstalled);
}

function apt(args: string[]): void {
  const result = spawnSync('apt-get', args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0)
    throw new Error(`apt-get ${args.join(' ')} failed (exit ${result.status ?? result.error?.message})`);
}

export function ensureServerInstalled(kind: ServerKind, say: (line: string) => void): void {
  if (serverInstalled(kind)) return;
  if (process.getuid?.() !== 0) throw new ServerMissing(kind);
  const { packages } = PACKAGES[kind];
  say(`${kind} is not installed; installing the Debian packages (apt-get install -y ${packages.join(' ')})…`);
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', ...packages]);
  if (!serverInstalled(kind)) throw new Error(`apt-get reported success but ${kind} is still missing`);
}
