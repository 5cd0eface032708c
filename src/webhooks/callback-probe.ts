import { randomUUID } from 'node:crypto';
import { type BodyFormat, namedFormat } from '../formats/index.ts';
import type { Logger } from '../log.ts';
import type { CallbackClient } from './callback-client.ts';
import type { CallbackUrl } from './callback-url.ts';
import { signatureHeaders } from './signer.ts';

/**
 * mod_rest's probe at start: `OPTIONS CALLBACK_URL` (`{kind}` = meta, `{type}` = info, `{to}` and
 * `{from}` = the gateway's domain). A 200 whose Accept names one of the body formats picks it (the
 * first one named, or the highest q); any other answer, or none, keeps WEBHOOK_FORMAT. Signed
 * like a delivery (empty body), so receivers that verify every request accept it.
 */
export async function probeCallbackFormat(options: {
  client: CallbackClient;
  url: CallbackUrl;
  domain: string;
  configured: BodyFormat;
  secrets: Buffer[];
  timeoutMs: number;
  signal: AbortSignal;
  log: Logger;
}): Promise<BodyFormat> {
  const { client, url, domain, configured, log } = options;
  const exchange = await client.post({
    method: 'OPTIONS',
    path: url.templated ? url.renderPath({ kind: 'meta', type: 'info', to: domain, from: domain }) : undefined,
    body: '',
    headers: { 'User-Agent': 'stanza-gateway', ...signatureHeaders(options.secrets, randomUUID(), '') },
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    maxBodyBytes: 0,
    excerptBytes: 0,
  });
  if (exchange.kind !== 'response') {
    log.warn({ reason: exchange.text, format: configured }, 'callback OPTIONS probe failed; keeping WEBHOOK_FORMAT');
    return configured;
  }
  const accept = exchange.headers.accept;
  const chosen = exchange.status === 200 && accept !== undefined ? namedFormat(accept).format : undefined;
  if (chosen) log.info({ format: chosen }, "callback body format chosen by the receiver's Accept");
  else log.debug({ status: exchange.status, format: configured }, 'callback OPTIONS probe: keeping WEBHOOK_FORMAT');
  return chosen ?? configured;
}
