import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './ports.ts';

/**
 * The gateway as its own process, from the sources through tsx (`npm start` runs the build; the
 * benchmark's baseline checkout may have none): for signals (SIGTERM tests) and for the
 * benchmark, where its CPU must be its own. BENCH_GATEWAY_NODE_ARGS, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`, profiles it; stop() waits for the exit so the profile
 * is written.
 */
export interface GatewayProcess {
  url: string;
  pid: number;
  /** GET /metrics, parsed to `name{labels}` → value. */
  metrics(): Promise<Map<string, number>>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
  /** What it wrote to stdout so far (its log lines at LOG_LEVEL warn). */
  output(): string;
  /** SIGTERM, then the exit (SIGKILL after 20 s). */
  stop(): Promise<void>;
}

export const PROCESS_TOKEN = 'process-token-0123456789';

export interface GatewayProcessOptions {
  /** The process's descriptor limit (ulimit -n), for tests that exhaust it. */
  openFiles?: number;
  /** Node options before BENCH_GATEWAY_NODE_ARGS', e.g. the benchmark's memory probe. */
  nodeArgs?: string[];
  /** Run the build in dist/ (`npm run build` first), as `npm start` does, instead of tsx. */
  built?: boolean;
  /** Its command line (e.g. `--config FILE`). */
  args?: readonly string[];
  /** `alive`: return once /healthz answers (a standby is never ready); default `ready` (/readyz 200). */
  waitFor?: 'ready' | 'alive';
  /** Its HTTP port (a replica restarted in the place of one that died); default a free one. */
  port?: number;
}

/** `cwd`: another checkout's gateway (the benchmark's BENCH_BASELINE_DIR); default this one. */
export async function startGatewayProcess(
  env: Record<string, string>,
  cwd?: string,
  options: GatewayProcessOptions = {},
): Promise<GatewayProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const nodeArgs = [
    ...(options.nodeArgs ?? []),
    ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
  const entry = options.built ? ['dist/src/main.js'] : ['--import', 'tsx', 'src/main.ts'];
  const command = [process.execPath, ...nodeArgs, ...entry, ...(options.args ?? [])];
  // `exec` keeps the pid: the shell becomes node.
  const [file, ...args] =
    options.openFiles === undefined
      ? command
      : ['/bin/sh', '-c', `ulimit -n ${options.openFiles} && exec "$@"`, 'sh', ...command];
  const child: ChildProcess = spawn(file!, args, {
    env: { ...process.env, LOG_LEVEL: 'warn', API_TOKENS: PROCESS_TOKEN, HTTP_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    ...(cwd ? { cwd } : {}),
  });
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  // /readyz is 200 once the link is online (and the delivery log's database is up).
  for (;;) {
    const response = await fetch(`${url}/${options.waitFor === 'alive' ? 'healthz' : 'readyz'}`).catch(() => undefined);
    if (response?.status === 200) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`gateway did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: child.pid!,
    exited,
    signal: (signal) => void child.kill(signal),
    output: () => output,
    async metrics() {
      const text = await (await fetch(`${url}/metrics`)).text();
      const values = new Map<string, number>();
      for (const line of text.split('\n')) {
        const match = /^(\S+) (\S+)$/.exec(line);
        if (match && !line.startsWith('#')) values.set(match[1]!, Number(match[2]));
      }
      return values;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
