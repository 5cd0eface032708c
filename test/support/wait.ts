/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  await waitUntilAsync(condition, timeoutMs, what, 20);
}

/**
 * The same for a condition that must itself wait (a database query): one check at a time, each
 * awaited before the next, `intervalMs` apart.
 */
export async function waitUntilAsync(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
