import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-error.ts';
import { parseMediaType } from '../http/media-type.ts';
import { readBody } from '../http/read-body.ts';
import type { RestContext } from './context.ts';
import { requestFormat } from './formats/index.ts';
import { respondAccepted, respondStanza } from './respond.ts';
import { iqTimeoutMs } from './timeout-header.ts';

/**
 * POST /rest: one stanza in; for a message or presence, 202 once the XMPP server has processed
 * it, or 200 with the error stanza the server returned for it at once (as mod_rest answers a
 * message to a local user that does not exist); for an iq, 200 with its reply (long-poll).
 * Checks run in mod_rest's order: credentials, media type, size, parse, stanza rules.
 */
export async function postStanza(req: IncomingMessage, res: ServerResponse, ctx: RestContext): Promise<void> {
  ctx.auth.check(req.headers.authorization);
  const format = requestFormat(parseMediaType(req.headers['content-type']));
  if (!format?.decodeStanza) throw new GatewayError('unsupported-media-type');
  const body = await readBody(req, res, ctx.maxBodyBytes);
  const stanza = format.decodeStanza(body, { ...ctx.core.rules, maxBytes: ctx.maxBodyBytes });

  if (stanza.kind !== 'iq') {
    const bounce = await ctx.core.send(stanza);
    if (res.writableEnded || res.destroyed) return;
    if (bounce) respondStanza(req, res, bounce);
    else respondAccepted(res);
    return;
  }
  const timeoutMs = iqTimeoutMs(req.headers['prosody-rest-timeout'], ctx.iqTimeout.defaultMs, ctx.iqTimeout.maxMs);
  const reply = await ctx.core.request(stanza, timeoutMs);
  // The client may have given up meanwhile; the reply then has nowhere to go.
  if (!res.writableEnded && !res.destroyed) respondStanza(req, res, reply);
}
