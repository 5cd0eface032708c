import { readFileSync } from 'node:fs';

/**
 * How many files this process may open (the soft RLIMIT_NOFILE, which Node raises to the hard
 * limit at start), read from /proc on Linux; undefined elsewhere. A connection cap above it
 * would never be reached: accept() fails with EMFILE first, for probes too.
 */
export function openFileLimit(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+)/m.exec(limits);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The connection cap that fits the descriptor limit, leaving `reserved` descriptors for what
 * is not an HTTP connection (the XMPP link, the database, webhook requests, files).
 */
export function fitConnectionCap(wanted: number, reserved: number, limit = openFileLimit()): number {
  if (limit === undefined) return wanted;
  return Math.max(1, Math.min(wanted, limit - reserved));
}
