import { type ChildProcess, fork } from 'node:child_process';

/**
 * Many graphql-ws subscriptions in a process of their own (test/support/subscriber-swarm-child.ts),
 * so that reading their events costs the caller's event loop nothing: used where the caller
 * measures latencies while the gateway fans out to them.
 */
export interface SwarmOptions {
  url: string;
  token: string;
  sockets: number;
  perSocket: number;
  query: string;
}

export interface Swarm {
  /** Events (`next` messages) and errors received so far, all sockets together. */
  count(): Promise<{ events: number; errors: number; closed: number }>;
  stop(): Promise<void>;
}

export async function startSwarm(options: SwarmOptions): Promise<Swarm> {
  const child: ChildProcess = fork(new URL('./subscriber-swarm-child.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const request = <T>(message: object): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (reply: T) => {
        child.off('exit', onExit);
        resolve(reply);
      };
      const onExit = () => reject(new Error('the subscriber swarm exited'));
      child.once('message', onMessage);
      child.once('exit', onExit);
      child.send(message);
    });
  await request({ type: 'start', options });
  return {
    count: () => request({ type: 'count' }),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
