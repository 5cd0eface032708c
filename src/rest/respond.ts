import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayError } from '../errors/gateway-error.ts';
import { encodeStanzas, mediaTypes, replyFormat } from '../formats/index.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import { errorBody } from './formats/error-bodies.ts';

/** The negotiated format of any answer: Accept, then the request's own Content-Type, then XML. */
function formatFor(req: IncomingMessage) {
  return replyFormat(req.headers.accept, req.headers['content-type']);
}

/** Writes a failure as mod_rest does: the status from the failure table, the body negotiated. */
export function respondError(req: IncomingMessage, res: ServerResponse, error: GatewayError, realm: string): void {
  const format = formatFor(req);
  const headers: Record<string, string> = { 'Content-Type': mediaTypes[format] };
  if (error.http === 401) headers['WWW-Authenticate'] = `Bearer realm="${realm}"`;
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.retryAfterSeconds);
  res.writeHead(error.http, headers).end(errorBody(format, error));
}

/** 200 with a stanza (an iq reply, an echo), or several (an archive query's results and reply). */
export function respondStanzas(req: IncomingMessage, res: ServerResponse, stanzas: readonly Stanza[]): void {
  const format = formatFor(req);
  res.writeHead(200, { 'Content-Type': mediaTypes[format] }).end(encodeStanzas(format, stanzas));
}

export function respondAccepted(res: ServerResponse): void {
  res.writeHead(202).end();
}
