/**
 * Readiness: each dependency the gateway needs to do its work reports ok or why not. The XMPP
 * link is one; the delivery log's database joins when it is configured.
 */
export interface ReadinessCheck {
  name: string;
  /** undefined when ready, else a short reason (never a secret). */
  check: () => Promise<string | undefined>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, string>;
}

const CHECK_TIMEOUT_MS = 2000;

export async function readiness(checks: readonly ReadinessCheck[]): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      const timeout = new Promise<string>((resolve) =>
        setTimeout(() => resolve('check timed out'), CHECK_TIMEOUT_MS).unref(),
      );
      const reason = await Promise.race([check().catch((error: unknown) => `check failed: ${String(error)}`), timeout]);
      return [name, reason] as const;
    }),
  );
  return {
    ready: results.every(([, reason]) => reason === undefined),
    checks: Object.fromEntries(results.map(([name, reason]) => [name, reason ?? 'ok'])),
  };
}
