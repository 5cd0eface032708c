/** Latency samples in milliseconds, summarised the way the closing notes report them. */
export interface Summary {
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export function summarise(latencies: number[], seconds: number): Summary {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { count: sorted.length, seconds, perSecond: sorted.length / seconds, p50: at(0.5), p99: at(0.99) };
}

export function formatRow(name: string, summary: Summary, baseline?: Summary): string {
  const ratio = baseline ? `${((summary.perSecond / baseline.perSecond) * 100).toFixed(0)}% of raw` : '';
  return [
    name.padEnd(46),
    `${summary.perSecond.toFixed(0).padStart(7)}/s`,
    `p50 ${summary.p50.toFixed(2).padStart(7)} ms`,
    `p99 ${summary.p99.toFixed(2).padStart(7)} ms`,
    ratio,
  ].join('  ');
}

/**
 * Runs `task` from `concurrency` workers until `total` have completed; each task's own latency
 * is recorded. Bounded in count, so a benchmark always stops by itself.
 */
export async function runLoad(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<Summary> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next;
        next += 1;
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return summarise(latencies, (performance.now() - started) / 1000);
}
