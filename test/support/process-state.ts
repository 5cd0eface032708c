import { readdir, readFile } from 'node:fs/promises';

/**
 * Resolves once every thread of `pid` is stopped (SIGSTOP). kill() returns when the signal is
 * queued; a busy process on another core (ejabberd's schedulers) may still answer a request or
 * two before it takes effect, which a test of a hung server must not count on.
 */
export async function waitStopped(pid: number, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tasks = await readdir(`/proc/${pid}/task`);
    const states = await Promise.all(
      tasks.map(async (task) => {
        const stat = await readFile(`/proc/${pid}/task/${task}/stat`, 'utf8').catch(() => '');
        // The state follows the command name, which is in parentheses and may contain anything.
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      }),
    );
    if (states.every((state) => state === 'T' || state === 't' || state === '')) return;
    if (Date.now() > deadline)
      throw new Error(`process ${pid} did not stop within ${timeoutMs} ms: ${states.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
