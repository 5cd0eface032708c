/**
 * The last line of defence for the throwaway servers: whatever the demo, a test file or the
 * benchmark started is killed when that process ends, even on a crash or a signal. Only the
 * processes registered here (by PID) are ever signalled.
 */
const pids = new Set<number>();
let installed = false;

function killAll(): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  pids.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // Another handler (the demo's) stops things gracefully and exits; 'exit' still kills
      // whatever it left. Alone (a test file), the signal must end the process as it would.
      if (process.listenerCount(signal) > 1) return;
      killAll();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}

/** Kills `pid` when this process exits, until the returned function is called (it stopped). */
export function killAtExit(pid: number): () => void {
  install();
  pids.add(pid);
  return () => pids.delete(pid);
}
