import { randomUUID } from 'node:crypto';
import type { Part } from '../flow/start-order.ts';
import { type BodyFormat, namedFormat } from '../formats/index.ts';
import type { Logger } from '../log.ts';
import type { CallbackClient } from './callback-client.ts';
import type { CallbackUrl } from './callback-url.ts';
import { signatureHeaders } from './signer.ts';

export interface ProbeOptions {
  client: CallbackClient;
  url: CallbackUrl;
  domain: string;
  /** WEBHOOK_FORMAT, kept unless the receiver names another. */
  configured: BodyFormat;
  secrets: Buffer[];
  timeoutMs: number;
  log: Logger;
}

/**
 * mod_rest's probe at start: `OPTIONS CALLBACK_URL` (`{kind}` = meta, `{type}` = info, `{to}` and
 * `{from}` = the gateway's domain). A 200 whose Accept names one of the body formats picks it (the
 * first one named, or the highest q); any other answer, or none, keeps WEBHOOK_FORMAT. Signed
 * like a delivery (empty body), so receivers that verify every request accept it.
 */
export async function probeCallbackFormat(options: ProbeOptions & { signal: AbortSignal }): Promise<BodyFormat> {
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

export interface CallbackFormat extends Part {
  /** The body format in force: WEBHOOK_FORMAT, or what the probe found (known once it ends). */
  chosen(): Promise<BodyFormat>;
}

/**
 * The probe as a part: start() sends it without waiting for the answer (it runs beside the
 * database's start-up; the format is needed only before the first delivery), stop() abandons it.
 */
export function callbackFormat(options: ProbeOptions): CallbackFormat {
  const abort = new AbortController();
  let chosen: Promise<BodyFormat> | undefined;
  return {
    start() {
      chosen = probeCallbackFormat({ ...options, signal: abort.signal });
    },
    stop() {
      abort.abort();
    },
    chosen() {
      if (!chosen) throw new Error('the callback format is asked for before the probe started');
      return chosen;
    },
  };
}
