import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * An XMPP client in a process of its own that counts the messages it receives, so that
 * receiving them does not share the event loop of the load generator. The parent says
 * `expect <tag> <count>` on stdin; the child answers `expecting <tag>` at once, then
 * `done <tag> <epoch ms>` when that many distinct ids starting with the tag have arrived.
 */
export interface CountingClient {
  /**
   * Resolves once the child counts `tag`, with the arrival time of the last one (performance.now()
   * of this process) to come.
   */
  expect(tag: string, count: number): Promise<{ last: Promise<number> }>;
  stop(): Promise<void>;
}

const child = fileURLToPath(new URL('./counting-client-main.ts', import.meta.url));

export async function startCountingClient(
  service: string,
  username: string,
  password: string,
): Promise<CountingClient> {
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', child, service, username, password], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = new Map<string, (at: number) => void>();
  const registered = new Map<string, () => void>();
  let ready!: () => void;
  const online = new Promise<void>((resolve) => (ready = resolve));
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const [word, tag, at] = line.split(' ');
    if (word === 'online') ready();
    if (word === 'expecting' && tag) registered.get(tag)?.();
    if (word === 'done' && tag) {
      // Epoch milliseconds back onto this process's performance clock.
      waiting.get(tag)?.(Number(at) - performance.timeOrigin);
      waiting.delete(tag);
    }
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  await Promise.race([online, exited.then(() => Promise.reject(new Error('the counting client exited')))]);
  return {
    async expect(tag, count) {
      const last = new Promise<number>((resolve) => waiting.set(tag, resolve));
      const counting = new Promise<void>((resolve) => registered.set(tag, resolve));
      proc.stdin!.write(`expect ${tag} ${count}\n`);
      await counting;
      registered.delete(tag);
      return { last };
    },
    async stop() {
      proc.stdin!.end();
      await exited;
    },
  };
}
