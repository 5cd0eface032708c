import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayError } from '../errors/gateway-error.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import { errorFormat, stanzaFormat } from './formats/index.ts';

/** Writes a failure as mod_rest does: the status from the failure table, the body per Accept. */
export function respondError(req: IncomingMessage, res: ServerResponse, error: GatewayError, realm: string): void {
  const format = errorFormat(req.headers.accept);
  const headers: Record<string, string> = { 'Content-Type': format.mediaType };
  if (error.http === 401) headers['WWW-Authenticate'] = `Bearer realm="${realm}"`;
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(error.retryAfterSeconds);
  res.writeHead(error.http, headers).end(format.encodeError(error));
}

export function respondStanza(req: IncomingMessage, res: ServerResponse, stanza: Stanza): void {
  const format = stanzaFormat(req.headers.accept);
  res.writeHead(200, { 'Content-Type': format.mediaType }).end(format.encodeStanza!(stanza));
}

export function respondAccepted(res: ServerResponse): void {
  res.writeHead(202).end();
}
