import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Element } from 'ltx';
import { GatewayError } from '../errors/gateway-error.ts';
import { type DecodedBody, decodeBody, elementFromBody, formatOfContentType } from '../formats/index.ts';
import { readBody } from '../http/read-body.ts';
import { elementFromJson, type JsonObject } from '../xmpp/codec/json-mapping/index.ts';
import type { RestContext } from './context.ts';

/**
 * The parts of a path route: POST /rest/{kind}/{type}/{to}, and GET /rest/{query}/{to} (an iq
 * whose `type` is the payload to ask for). `to` is already percent-decoded.
 */
export interface PathTarget {
  kind: string;
  type: string;
  to: string;
}

/**
 * The stanza element of a request body, in any of the formats (Content-Type), completed by a
 * path route's parts: an XML body ignores the path; JSON and form fields are completed by it;
 * text becomes a message's body or a presence's show. A path route may also come without a body.
 */
export async function requestElement(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RestContext,
  target?: PathTarget,
): Promise<Element> {
  const header = req.headers['content-type'];
  const format = formatOfContentType(header);
  if (!format && (header !== undefined || !target)) throw new GatewayError('unsupported-media-type');
  const body = await readBody(req, res, ctx.maxBodyBytes);
  const options = { maxBytes: ctx.maxBodyBytes };
  if (!format) {
    if (body.length > 0) throw new GatewayError('unsupported-media-type');
    return elementFromJson(pathFields(target!, undefined), options);
  }
  const decoded = decodeBody(format, body, ctx.maxBodyBytes);
  if (!target || decoded.format === 'xml') return elementFromBody(decoded, options);
  return elementFromJson(pathFields(target, decoded), options);
}

/** mod_rest's amend_from_path: the JSON a path route and its (non-XML) body stand for. */
export function pathFields(
  target: PathTarget,
  decoded: Exclude<DecodedBody, { format: 'xml' }> | undefined,
): JsonObject {
  const { kind, type, to } = target;
  let fields: JsonObject;
  if (kind === 'iq' && type !== 'get' && type !== 'set') {
    // /rest/iq/ping/{to}, GET /rest/ping/{to}: the path names the payload, the body fills it.
    if (decoded?.format === 'text') throw new GatewayError('not-well-formed');
    fields = { kind, [type]: type === 'ping' ? true : (decoded?.fields ?? {}) };
  } else if (decoded?.format === 'text') {
    if (kind === 'message') fields = { body: decoded.text };
    else if (kind === 'presence') fields = { show: decoded.text };
    else throw new GatewayError('not-well-formed');
    fields = { ...fields, kind, type };
  } else {
    fields = { ...decoded?.fields, kind, type };
  }
  if (to !== '') fields.to = to;
  return fields;
}
