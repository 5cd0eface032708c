import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-error.ts';
import { parseMediaType } from '../http/media-type.ts';
import { readBody } from '../http/read-body.ts';
import type { RestContext } from './context.ts';
import { requestFormat } from './formats/index.ts';
import { respondAccepted, respondStanza } from './respond.ts';
import { iqTimeoutMs } from './timeout-header.ts';

/**
 * POST /rest: one stanza in, 202 for a message or presence once it is on the socket, 200 with
 * the reply for an iq (long-poll). Checks run in mod_rest's order: credentials, media type,
 * size, parse, stanza rules (docs/rest.md).
 */
export async function postStanza(req: IncomingMessage, res: ServerResponse, ctx: RestContext): Promise<void> {
  ctx.auth.check(req.headers.authorization);
  const format = requestFormat(parseMediaType(req.headers['content-type']));
  if (!format?.decodeStanza) throw new GatewayError('unsupported-media-type');
  const body = await readBody(req, res, ctx.maxBodyBytes);
  const stanza = format.decodeStanza(body, { ...ctx.core.rules, maxBytes: ctx.maxBodyBytes });

  if (stanza.kind !== 'iq') {
    await ctx.core.send(stanza);
    respondAccepted(res);
    return;
  }
  const timeoutMs = iqTimeoutMs(req.headers['prosody-rest-timeout'], ctx.iqTimeout.defaultMs, ctx.iqTimeout.maxMs);
  const reply = await ctx.core.request(stanza, timeoutMs);
  // The client may have given up meanwhile; the reply then has nowhere to go.
  if (!res.writableEnded && !res.destroyed) respondStanza(req, res, reply);
}
