// Preloaded into the gateway by the benchmark's memory section only (node --expose-gc --import
// this file): on SIGUSR2 it collects garbage and writes process.memoryUsage() as JSON to
// BENCH_MEMORY_FILE, so the figures read after it are the live set, not garbage not yet
// collected. Plain JavaScript so that it loads before tsx, and into a built gateway alike.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    // Twice: weak references and finalizers freed by the first are collected by the second.
    globalThis.gc?.();
    globalThis.gc?.();
    const usage = process.memoryUsage();
    // BENCH_HEAP_SNAPSHOT_DIR: a heap snapshot at each measure, for Chrome's memory panel.
    const dir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
    if (dir) writeHeapSnapshot(join(dir, `gateway-${process.pid}-${Date.now()}.heapsnapshot`));
    // Each V8 heap space's committed size: what of heapTotal is new space, old, code, large objects.
    const spaces = Object.fromEntries(
      getHeapSpaceStatistics().map((space) => [space.space_name, space.physical_space_size]),
    );
    writeFileSync(file, JSON.stringify({ ...usage, spaces }));
  });
}
