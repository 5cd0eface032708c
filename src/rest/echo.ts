import type { IncomingMessage, ServerResponse } from 'node:http';
import { stanzaFromElement } from '../xmpp/codec/index.ts';
import type { RestContext } from './context.ts';
import { requestElement } from './request-stanza.ts';
import { respondStanzas } from './respond.ts';

/**
 * POST /rest/echo: the stanza as it would be sent — parsed, checked by every rule of a send, id
 * and from filled in, addresses normalised — in the negotiated format, without sending it.
 * (mod_rest echoes an iq before checking its type and payload; the gateway checks them too.)
 */
export async function echoStanza(req: IncomingMessage, res: ServerResponse, ctx: RestContext): Promise<void> {
  const caller = ctx.auth.check(req.headers.authorization);
  const element = await requestElement(req, res, ctx);
  const stanza = stanzaFromElement(element, ctx.core.rules);
  // A `from` the token may not use is refused here as a send would refuse it; nothing is sent,
  // so neither the operation nor the rate is checked.
  caller.checkFrom(stanza);
  respondStanzas(req, res, [stanza]);
}
