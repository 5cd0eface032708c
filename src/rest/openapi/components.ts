import { failures } from '../../errors/failures.ts';
import { mediaTypes } from '../../formats/index.ts';
import { stanzaErrorSchema, stanzaSchema } from './stanza-schemas.ts';

/** The reusable parts of the OpenAPI document: schemas, parameters, bodies, responses. */
const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });

const stanzaContent = {
  [mediaTypes.xml]: {
    schema: { type: 'string', example: "<message to='alice@example.net'><body>Hi</body></message>" },
  },
  [mediaTypes.json]: { schema: ref('schemas', 'stanza') },
  [mediaTypes.form]: { schema: ref('schemas', 'stanza') },
};

const replyContent = {
  [mediaTypes.xml]: { schema: { type: 'string', description: 'the reply stanza; an archive query: <xmpp>…</xmpp>' } },
  [mediaTypes.json]: { schema: { oneOf: [ref('schemas', 'stanza'), ref('schemas', 'xmpp')] } },
  [mediaTypes.form]: { schema: ref('schemas', 'stanza') },
};

const errorContent = {
  [mediaTypes.xml]: {
    schema: {
      type: 'string',
      example: `<error xmlns='http://etherx.jabber.org/streams'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>${failures['bad-credentials'].text}</text></error>`,
    },
  },
  [mediaTypes.json]: { schema: ref('schemas', 'gateway_error') },
  [mediaTypes.form]: { schema: ref('schemas', 'gateway_error_form') },
};

/** Each error status and what it means; the body is the negotiated error body. */
export const errorStatuses = {
  400: 'Failed to parse payload: not well-formed XML or JSON, no stanza, an unknown kind, a text body on an iq route',
  401: 'No credentials provided (with WWW-Authenticate)',
  403: "Credentials not accepted, or a 'from' outside the gateway's domain",
  409: 'An iq with this id to this address is already waiting for its reply',
  413: 'Payload too large (REST_MAX_BODY_BYTES)',
  415: 'Unsupported media type',
  422: 'Not a valid stanza: its kind, namespace, addresses, iq type or iq payload',
  502: 'An archive query answered with more results than REST_MAX_ARCHIVE_RESULTS',
  503: 'The XMPP link is down or backed up, or the gateway is stopping (Retry-After)',
  504: 'No iq reply in time (IQ_TIMEOUT_MS, Prosody-Rest-Timeout)',
} as const;

export type ErrorStatus = keyof typeof errorStatuses;

export const components = {
  securitySchemes: {
    bearer: {
      type: 'http',
      scheme: 'bearer',
      description: 'one of API_TOKENS, or a token of API_SCOPED_TOKENS (its scope applies)',
    },
  },
  parameters: {
    to: {
      name: 'to',
      in: 'path',
      required: true,
      description: 'the destination JID (empty: the gateway domain itself)',
      schema: { type: 'string', example: 'alice@example.net' },
    },
    timeout: {
      name: 'Prosody-Rest-Timeout',
      in: 'header',
      description: 'seconds to wait for an iq reply (fractions allowed), capped at IQ_MAX_TIMEOUT_MS',
      schema: { type: 'number' },
    },
  },
  requestBodies: {
    stanza: {
      description:
        'one stanza: XML, JSON or form fields of the mapping, or text (a chat message to the gateway domain)',
      required: true,
      content: { ...stanzaContent, [mediaTypes.text]: { schema: { type: 'string' } } },
    },
  },
  responses: {
    reply: {
      description:
        "the iq reply (a stanza error is still 200); for a message or presence, the XMPP server's error " +
        'stanza when it refused it at once (e.g. a local user that does not exist); or the echoed stanza',
      content: replyContent,
    },
    accepted: { description: 'the XMPP server has processed the message or presence' },
    ...Object.fromEntries(
      Object.entries(errorStatuses).map(([status, description]) => [
        `e${status}`,
        { description, content: errorContent },
      ]),
    ),
  },
  schemas: {
    stanza: {
      oneOf: [ref('schemas', 'message'), ref('schemas', 'presence'), ref('schemas', 'iq')],
      discriminator: { propertyName: 'kind' },
    },
    message: stanzaSchema('message'),
    presence: stanzaSchema('presence'),
    iq: stanzaSchema('iq'),
    xmpp: {
      type: 'object',
      description: 'an archive query: its result messages, then the final iq',
      properties: { xmpp: { type: 'array', items: ref('schemas', 'stanza') } },
    },
    stanza_error: stanzaErrorSchema,
    gateway_error: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['error'] },
        code: { type: 'integer' },
        error: stanzaErrorSchema,
      },
    },
    gateway_error_form: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['error'] },
        code: { type: 'string' },
        error_type: { type: 'string' },
        error_condition: { type: 'string' },
        error_text: { type: 'string' },
      },
    },
  },
};

export function errorResponses(statuses: readonly ErrorStatus[]): Record<string, unknown> {
  return Object.fromEntries(statuses.map((status) => [String(status), ref('responses', `e${status}`)]));
}

export { ref };
