/**
 * `npm run demo -- [options]`: what the command line asks for. A wrong option stops the demo
 * before it starts anything, with a line saying what is wrong and where the list is.
 */
export type DemoArgs = { kind: 'help' } | { kind: 'run'; selfCheck: boolean; replicas: number | undefined };

export class DemoUsageError extends Error {
  constructor(message: string) {
    super(`${message}; \`npm run demo -- --help\` lists the options`);
    this.name = 'DemoUsageError';
  }
}

/** The most replicas the demo starts: each is a Node process of its own. */
export const MAX_REPLICAS = 9;

export const DEMO_HELP = `npm run demo [-- options]

A throwaway Prosody on loopback, a demo account, an echo bot as the webhook, and the gateway
against them (the embedded database unless DATABASE_URL is set), with ready-to-paste examples.
Ctrl-C stops everything it started.

  --self-check     try each face once, stop everything, exit 0 when all worked (1 otherwise)
  --replicas N     run N gateway processes (2 to ${MAX_REPLICAS}) with HA_ELECTION=on behind a local
                   proxy that sends each connection to the one whose /readyz answers 200 (the
                   leader); a replica that exits or is killed is started again about 1 s later.
                   Needs Postgres: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres
  --help           this text

Environment: HTTP_PORT (default 8080; another free port if it is busy), DATA_DIR (default
./data/demo), DATABASE_URL, LOG_LEVEL (default warn); any gateway setting is passed on.
`;

export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  // Asking for the list wins over any mistake beside it.
  if (argv.some((arg) => arg === '--help' || arg === '-h')) return { kind: 'help' };
  let selfCheck = false;
  let replicas: number | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--self-check') selfCheck = true;
    else if (arg === '--replicas' || arg.startsWith('--replicas=')) {
      const value = arg === '--replicas' ? argv[(i += 1)] : arg.slice('--replicas='.length);
      replicas = replicaCount(value);
    } else throw new DemoUsageError(`unknown option ${arg}`);
  }
  return { kind: 'run', selfCheck, replicas };
}

function replicaCount(value: string | undefined): number {
  if (value === undefined || value.startsWith('--'))
    throw new DemoUsageError('--replicas needs a number, e.g. --replicas 2');
  const count = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(count >= 2 && count <= MAX_REPLICAS))
    throw new DemoUsageError(`--replicas must be a whole number from 2 to ${MAX_REPLICAS} (it is "${value}")`);
  return count;
}
