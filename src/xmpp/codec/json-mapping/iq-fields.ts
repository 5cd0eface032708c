import { NS_MAM, NS_PING } from '../namespaces.ts';
import { attributeFields, delayField, nickField, rsmField, schemaFormField } from './common-fields.ts';
import type { Fields } from './field-spec.ts';

const NS_UPLOAD = 'urn:xmpp:http:upload:0';
const text = { at: 'child-text', type: 'string' } as const;

/** mod_rest's iq payload fields (disco, items and command are custom mappings). */
export const iqFields: Fields = {
  ...attributeFields,
  // XEP-0199
  ping: { at: 'child-name', name: 'ping', ns: NS_PING },
  // XEP-0092
  version: { at: 'child', name: 'query', ns: 'jabber:iq:version', fields: { name: text, version: text, os: text } },
  // XEP-0012
  lastactivity: {
    at: 'child',
    name: 'query',
    ns: 'jabber:iq:last',
    fields: { seconds: { at: 'attribute', type: 'integer' }, status: { at: 'text', type: 'string' } },
  },
  // XEP-0215
  extdisco: {
    at: 'child',
    name: 'services',
    ns: 'urn:xmpp:extdisco:2',
    fields: {
      type: { at: 'attribute', type: 'string' },
      services: {
        at: 'children',
        item: {
          name: 'service',
          type: 'object',
          fields: {
            type: { at: 'attribute', type: 'string' },
            host: { at: 'attribute', type: 'string' },
            port: { at: 'attribute', type: 'integer' },
            transport: { at: 'attribute', type: 'string' },
            name: { at: 'attribute', type: 'string' },
            username: { at: 'attribute', type: 'string' },
            password: { at: 'attribute', type: 'string' },
            expires: { at: 'attribute', type: 'string' },
            restricted: { at: 'attribute', type: 'boolean' },
          },
        },
      },
    },
  },
  // XEP-0313: the query, and the `<fin/>` that ends its results.
  archive: {
    at: 'child',
    name: 'query',
    ns: NS_MAM,
    fields: { queryid: { at: 'attribute', type: 'string' }, form: schemaFormField, page: rsmField },
  },
  result: { at: 'child', name: 'fin', ns: NS_MAM, fields: { page: rsmField } },
  // XEP-0363
  upload_request: {
    at: 'child',
    name: 'request',
    ns: NS_UPLOAD,
    fields: {
      filename: { at: 'attribute', type: 'string' },
      size: { at: 'attribute', type: 'integer' },
      'content-type': { at: 'attribute', type: 'string' },
    },
  },
  upload_slot: {
    at: 'child',
    name: 'slot',
    ns: NS_UPLOAD,
    fields: {
      put: {
        at: 'child',
        fields: {
          url: { at: 'attribute', type: 'string' },
          headers: {
            at: 'children',
            item: {
              name: 'header',
              type: 'object',
              fields: {
                name: { at: 'attribute', type: 'string', values: ['Authorization', 'Cookie', 'Expires'] },
                value: { at: 'text', type: 'string' },
              },
            },
          },
        },
      },
      get: { at: 'child', fields: { url: { at: 'attribute', type: 'string' } } },
    },
  },
  // XEP-0039
  stats: {
    at: 'wrapped',
    name: 'query',
    ns: 'http://jabber.org/protocol/stats',
    item: {
      name: 'stat',
      type: 'object',
      fields: {
        name: { at: 'attribute', type: 'string' },
        unit: { at: 'attribute', type: 'string' },
        value: { at: 'attribute', type: 'number' },
      },
    },
  },
  // XEP-0066 (the iq form)
  oob: { at: 'child', name: 'query', ns: 'jabber:iq:oob', fields: { url: text, desc: text } },
  // XEP-0077
  register: {
    at: 'child',
    name: 'query',
    ns: 'jabber:iq:register',
    fields: {
      instructions: text,
      username: text,
      password: text,
      nick: text,
      name: text,
      first: text,
      last: text,
      email: text,
      address: text,
      city: text,
      state: text,
      zip: text,
      phone: text,
      url: text,
      date: text,
      misc: text,
      text,
      key: text,
      registered: { at: 'child-name', ns: 'jabber:iq:register' },
      remove: { at: 'child-name', ns: 'jabber:iq:register' },
    },
  },
  // XEP-0100
  gateway: { at: 'child', name: 'query', ns: 'jabber:iq:gateway', fields: { desc: text, prompt: text, jid: text } },
  delay: delayField,
  nick: nickField,
  rsm: rsmField,
};
