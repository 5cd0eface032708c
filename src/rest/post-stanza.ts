import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Stanza, stanzaFromElement } from '../xmpp/codec/index.ts';
import { archiveQueryOf, queryArchive, withQueryId } from '../xmpp/archive-query.ts';
import type { Caller } from '../auth/caller.ts';
import type { RestContext } from './context.ts';
import { type PathTarget, requestElement } from './request-stanza.ts';
import { respondAccepted, respondStanzas } from './respond.ts';
import { iqTimeoutMs } from './timeout-header.ts';

/**
 * POST /rest (and /rest/{kind}/{type}/{to}): one stanza in, in any body format. Checks run in
 * mod_rest's order: credentials, media type, size, parse, stanza rules (docs/rest.md).
 */
export async function postStanza(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RestContext,
  target?: PathTarget,
): Promise<void> {
  const caller = ctx.auth.check(req.headers.authorization);
  const element = await requestElement(req, res, ctx, target);
  await sendStanza(req, res, ctx, stanzaFromElement(element, ctx.core.rules), caller);
}

/**
 * For a message or presence, 202 once the XMPP server has processed it, or 200 with the error
 * stanza the server returned for it at once (as mod_rest answers a message to a local user that
 * does not exist); for an iq, 200 with its reply (long-poll); in the negotiated format. An
 * archive query's reply carries its results too. First the caller's scope (its operations,
 * `from` and rate: 403 or 429), after every rule of the stanza itself, as mod_rest checks a
 * session's `from` after parsing.
 */
export async function sendStanza(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RestContext,
  stanza: Stanza,
  caller: Caller,
): Promise<void> {
  caller.authorizeSend(stanza);
  if (stanza.kind !== 'iq') {
    const bounce = await ctx.core.send(stanza);
    if (res.writableEnded || res.destroyed) return;
    if (bounce) respondStanzas(req, res, [bounce]);
    else respondAccepted(res);
    return;
  }
  const timeoutMs = iqTimeoutMs(req.headers['prosody-rest-timeout'], ctx.iqTimeout.defaultMs, ctx.iqTimeout.maxMs);
  const replies = archiveQueryOf(stanza)
    ? await queryArchive(ctx.core, withQueryId(stanza, ctx.core.rules), timeoutMs, ctx.maxArchiveResults)
    : [await ctx.core.request(stanza, timeoutMs)];
  // The client may have given up meanwhile; the reply then has nowhere to go.
  if (!res.writableEnded && !res.destroyed) respondStanzas(req, res, replies);
}
