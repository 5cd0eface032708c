import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-error.ts';
import { decodeForm } from '../formats/index.ts';
import { stanzaFromElement } from '../xmpp/codec/index.ts';
import { elementFromJson } from '../xmpp/codec/json-mapping/index.ts';
import type { RestContext } from './context.ts';
import { sendStanza } from './post-stanza.ts';
import { pathFields } from './request-stanza.ts';

/**
 * GET /rest/{query}/{to}: an iq get (set for `archive`) carrying the payload named `query`,
 * filled from the query string (`?node=`, the archive filters, the upload request…); the reply
 * in the negotiated format. A name that is no payload leaves the iq empty: 422, as mod_rest.
 */
export async function queryShortcut(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RestContext,
  [query, to]: string[],
): Promise<void> {
  const caller = ctx.auth.check(req.headers.authorization);
  // A GET has no body to read; one sent anyway is discarded.
  req.resume();
  const search = (req.url ?? '').split('?')[1] ?? '';
  let params: Record<string, string> | undefined;
  if (search !== '') {
    let decoded: ReturnType<typeof decodeForm>;
    try {
      decoded = decodeForm(search);
    } catch (error) {
      throw new GatewayError('not-well-formed', { cause: error });
    }
    // mod_rest: a query string that is not key=value pairs (`?hello`) is refused.
    if ('text' in decoded) throw new GatewayError('not-well-formed');
    params = decoded.fields;
  }
  const fields = pathFields({ kind: 'iq', type: query!, to: to! }, params && { format: 'form', fields: params });
  const element = elementFromJson(fields, { maxBytes: ctx.maxBodyBytes });
  await sendStanza(req, res, ctx, stanzaFromElement(element, ctx.core.rules), caller);
}
