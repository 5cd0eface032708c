import { mediaTypes } from '../../formats/index.ts';
import { errorResponses, ref } from './components.ts';

/**
 * Every /rest route with the statuses it answers (test/integration/rest-openapi.test.ts makes
 * each happen on a running gateway). GET shortcuts are listed one by one, with their query
 * parameters; any other name answers 422.
 */
const query = (name: string, description: string, type = 'string') => ({
  name,
  in: 'query',
  description,
  schema: { type },
});

const send = {
  '200': ref('responses', 'reply'),
  '202': ref('responses', 'accepted'),
  ...errorResponses([400, 401, 403, 409, 413, 415, 422, 502, 503, 504]),
};

const shortcuts: Record<string, { summary: string; parameters?: unknown[]; statuses?: 502[] }> = {
  ping: { summary: 'XEP-0199 ping' },
  version: { summary: 'XEP-0092 software version' },
  disco: { summary: 'XEP-0030 disco#info', parameters: [query('node', 'the node to ask about')] },
  items: { summary: 'XEP-0030 disco#items', parameters: [query('node', 'the node to list')] },
  lastactivity: { summary: 'XEP-0012 last activity (uptime of a server)' },
  extdisco: { summary: 'XEP-0215 external services (STUN, TURN)', parameters: [query('type', 'e.g. stun')] },
  archive: {
    summary: 'XEP-0313 archive query (a MUC room, or the archives a component may read): the results, then the iq',
    parameters: [
      query('with', 'JID filter'),
      query('start', 'timestamp (XEP-0082)'),
      query('end', 'timestamp (XEP-0082)'),
      query('before-id', 'archive id'),
      query('after-id', 'archive id'),
      query('ids', 'comma-separated archive ids'),
      query('max', 'page size', 'integer'),
      query('after', 'RSM: the page after this id'),
      query('before', 'RSM: the page before this id'),
    ],
    statuses: [502],
  },
  upload_request: {
    summary: 'XEP-0363 upload slot request',
    parameters: [
      query('filename', 'the file name'),
      query('size', 'bytes', 'integer'),
      query('content-type', 'the media type'),
    ],
  },
  stats: { summary: 'XEP-0039 statistics' },
  oob: { summary: 'XEP-0066 out-of-band data (iq)' },
  payload: { summary: 'XEP-0335 JSON container' },
};

export const paths = {
  '/rest': {
    get: {
      summary: 'An index of the routes (public)',
      security: [],
      responses: {
        '200': { description: 'the routes', content: { [mediaTypes.json]: { schema: { type: 'object' } } } },
      },
    },
    post: {
      summary: 'Send a stanza; an iq waits for its reply (long-poll)',
      parameters: [ref('parameters', 'timeout')],
      requestBody: ref('requestBodies', 'stanza'),
      responses: send,
    },
  },
  '/rest/{kind}/{type}/{to}': {
    post: {
      summary:
        'Send a stanza whose kind, type and destination are in the path; the body (JSON, form, text) gives the rest',
      parameters: [
        { name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: ['message', 'presence', 'iq'] } },
        {
          name: 'type',
          in: 'path',
          required: true,
          description: "the stanza's type; for an iq other than get/set, the payload to ask for (ping, version…)",
          schema: { type: 'string', example: 'chat' },
        },
        ref('parameters', 'to'),
        ref('parameters', 'timeout'),
      ],
      requestBody: { ...ref('requestBodies', 'stanza'), required: false },
      responses: send,
    },
  },
  '/rest/echo': {
    post: {
      summary: 'The stanza as it would be sent (checked, id and from filled in), without sending it',
      requestBody: ref('requestBodies', 'stanza'),
      responses: { '200': ref('responses', 'reply'), ...errorResponses([400, 401, 403, 413, 415, 422]) },
    },
  },
  '/rest/openapi.json': {
    get: {
      summary: 'This document (public)',
      security: [],
      responses: {
        '200': { description: 'OpenAPI 3', content: { [mediaTypes.json]: { schema: { type: 'object' } } } },
      },
    },
  },
  ...Object.fromEntries(
    Object.entries(shortcuts).map(([name, { summary, parameters = [], statuses = [] }]) => [
      `/rest/${name}/{to}`,
      {
        get: {
          summary,
          parameters: [ref('parameters', 'to'), ...parameters, ref('parameters', 'timeout')],
          responses: {
            '200': ref('responses', 'reply'),
            ...errorResponses([400, 401, 403, 422, ...statuses, 503, 504]),
          },
        },
      },
    ]),
  ),
};
