import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { killAtExit } from './exit-cleanup.ts';
import { freePorts } from './ports.ts';
import { createReadyProxy, type ProxyTarget } from './ready-proxy.ts';

/**
 * `npm run demo -- --replicas N`: N gateway processes with the same settings (HA_ELECTION=on,
 * one Postgres) behind the ready proxy, as a load balancer and a supervisor would run them.
 * Each replica keeps its port for the demo's life; one that exits or is killed is started again
 * after RESTART_DELAY_MS, like systemd's `Restart=always` (a leader that loses Postgres exits
 * with 75 precisely so that this happens), except after a configuration error, which a restart
 * would only repeat.
 */
export interface ReplicaSetOptions {
  count: number;
  /** Settings for every replica, over the demo's environment (HTTP_PORT is each one's own). */
  env: Record<string, string>;
  /** The proxy's port, the demo's public one (0: any free port). */
  port: number;
  say: (line: string) => void;
}

export interface ReplicaInfo {
  /** 1, 2, …: how the demo names it. */
  number: number;
  port: number;
  /** Undefined while it is down, waiting to be started again. */
  pid: number | undefined;
}

export interface ReplicaSet {
  /** The proxy's URL: the one address clients use. */
  url: string;
  replicas(): readonly ReplicaInfo[];
  /** The replica the proxy sends new connections to (the leader, once the election runs). */
  current(): ReplicaInfo | undefined;
  /** Resolves true once some replica is ready, false after `timeoutMs`. */
  waitReady(timeoutMs: number): Promise<boolean>;
  /** SIGTERM to every replica (each stops gracefully), their exits, then the proxy. */
  stop(): Promise<void>;
}

const RESTART_DELAY_MS = 1000;
/** main.ts's exit code for a configuration error. */
const CONFIG_ERROR = 2;
/** EX_TEMPFAIL: a leader that lost Postgres stepped down and asks to be started again. */
const STEPPED_DOWN = 75;
/** After SIGTERM a gateway drains within SHUTDOWN_GRACE_MS (10 s by default); then SIGKILL. */
const STOP_DEADLINE_MS = 20_000;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

interface Replica extends ReplicaInfo {
  child: ChildProcess | undefined;
  exited: Promise<void>;
}

export async function startReplicaSet(options: ReplicaSetOptions): Promise<ReplicaSet> {
  const { say } = options;
  const ports = await freePorts(options.count);
  const replicas: Replica[] = ports.map((port, index) => ({
    number: index + 1,
    port,
    pid: undefined,
    child: undefined,
    exited: Promise.resolve(),
  }));
  const restarts = new Set<NodeJS.Timeout>();
  let stopping = false;

  function launch(replica: Replica): void {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: ROOT,
      env: { ...process.env, ...options.env, HTTP_PORT: String(replica.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C reaches the demo alone, which stops the replicas in order
      // (SIGTERM, their exits, then the XMPP server) instead of all at once.
      detached: true,
    });
    replica.child = child;
    replica.pid = child.pid;
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream }).on('line', (line) => say(`replica ${replica.number}: ${line}`));
    const forget = child.pid === undefined ? () => false : killAtExit(child.pid);
    replica.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        forget();
        replica.child = undefined;
        replica.pid = undefined;
        resolve();
        if (!stopping) restartLater(replica, child.pid, code, signal);
      }),
    );
  }

  function restartLater(replica: Replica, pid: number | undefined, code: number | null, signal: string | null): void {
    const what = `replica ${replica.number} (pid ${pid ?? '?'})`;
    if (code === CONFIG_ERROR) {
      say(`${what} refused its configuration (exit ${code}); not starting it again`);
      return;
    }
    const why =
      signal !== null
        ? `was killed (${signal})`
        : code === STEPPED_DOWN
          ? `stepped down (exit ${code})`
          : code === 0
            ? 'stopped (exit 0)'
            : `exited with code ${code ?? '?'}`;
    say(`${what} ${why}; starting it again in ${RESTART_DELAY_MS / 1000} s`);
    const timer = setTimeout(() => {
      restarts.delete(timer);
      if (stopping) return;
      launch(replica);
      say(`replica ${replica.number} started again: pid ${replica.pid ?? '?'}, port ${replica.port}`);
    }, RESTART_DELAY_MS);
    restarts.add(timer);
  }

  const proxy = createReadyProxy({ backends: ports.map((port) => ({ port })), port: options.port });
  const info = ({ number, port, pid }: Replica): ReplicaInfo => ({ number, port, pid });
  const replicaOf = (target: ProxyTarget | undefined) => (target ? replicas[target.index] : undefined);
  proxy.onChange((target) => {
    const replica = replicaOf(target);
    say(
      replica
        ? `proxy: now sending to replica ${replica.number} (port ${replica.port}, pid ${replica.pid ?? '?'})`
        : 'proxy: no replica is ready; new connections get 503 with Retry-After: 1',
    );
  });

  // The proxy first: should its port be taken, no replica has been started yet.
  const port = await proxy.start();
  for (const replica of replicas) launch(replica);
  return {
    url: `http://127.0.0.1:${port}`,
    replicas: () => replicas.map(info),
    current() {
      const replica = replicaOf(proxy.current());
      return replica && info(replica);
    },
    async waitReady(timeoutMs) {
      if (proxy.current()) return true;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          stopListening();
          resolve(false);
        }, timeoutMs);
        const stopListening = proxy.onChange((target) => {
          if (!target) return;
          clearTimeout(timer);
          stopListening();
          resolve(true);
        });
      });
    },
    async stop() {
      stopping = true;
      for (const timer of restarts) clearTimeout(timer);
      restarts.clear();
      await Promise.all(
        replicas.map(async (replica) => {
          const child = replica.child;
          if (!child) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
          await replica.exited;
          clearTimeout(timer);
        }),
      );
      await proxy.stop();
    },
  };
}
