import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com, "Signature scheme"):
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, one entry
 * per active key, space-separated, so receivers can rotate secrets without downtime.
 * The timestamp is that of each attempt: receivers reject old ones to stop replays.
 */
export function signatureHeaders(
  keys: readonly Buffer[],
  id: string,
  body: string,
  now: Date = new Date(),
): Record<string, string> {
  if (keys.length === 0) return {};
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signed = `${id}.${timestamp}.${body}`;
  const signatures = keys.map((key) => `v1,${createHmac('sha256', key).update(signed, 'utf8').digest('base64')}`);
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}
