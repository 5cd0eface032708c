/**
 * mod_rest's `Prosody-Rest-Timeout: <seconds>`: how long to wait for an iq reply. Fractions
 * are allowed; anything that is not a positive number is ignored (the default applies), and
 * the wait is capped.
 */
export function iqTimeoutMs(header: string | string[] | undefined, defaultMs: number, maxMs: number): number {
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || !/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(raw)) return defaultMs;
  const ms = Math.round(Number(raw) * 1000);
  if (!(ms > 0)) return defaultMs;
  return Math.min(ms, maxMs);
}
