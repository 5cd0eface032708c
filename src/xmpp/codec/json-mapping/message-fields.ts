import { NS_CLIENT, NS_FORWARD, NS_MAM, NS_OOB } from '../namespaces.ts';
import { attributeFields, delayField, nickField, rsmField } from './common-fields.ts';
import type { Fields, FieldSpec } from './field-spec.ts';

const NS_CHAT_MARKERS = 'urn:xmpp:chat-markers:0';

/** XEP-0297: a forwarded message and when it was sent (also inside MAM results). */
const forwardedField: FieldSpec = {
  at: 'child',
  name: 'forwarded',
  ns: NS_FORWARD,
  fields: {
    delay: delayField,
    message: { at: 'child', name: 'message', ns: NS_CLIENT, fields: () => messageFields },
  },
};

/** mod_rest's message fields, in the order the gateway writes them. */
export const messageFields: Fields = {
  ...attributeFields,
  body: { at: 'child-text', type: 'string' },
  subject: { at: 'child-text', type: 'string' },
  thread: {
    at: 'child',
    fields: { id: { at: 'text', type: 'string' }, parent: { at: 'attribute', type: 'string' } },
  },
  // XEP-0066
  oob: {
    at: 'child',
    name: 'x',
    ns: NS_OOB,
    fields: { url: { at: 'child-text', type: 'string' }, desc: { at: 'child-text', type: 'string' } },
  },
  // XEP-0085
  state: {
    at: 'child-name',
    ns: 'http://jabber.org/protocol/chatstates',
    values: ['active', 'inactive', 'gone', 'composing', 'paused'],
  },
  // XEP-0308
  replace: { at: 'child-attribute', ns: 'urn:xmpp:message-correct:0', attribute: 'id' },
  // XEP-0444
  reactions: {
    at: 'child',
    ns: 'urn:xmpp:reactions:0',
    fields: {
      id: { at: 'attribute', type: 'string' },
      reactions: { at: 'children', item: { name: 'reaction', type: 'text', scalar: 'string' } },
    },
  },
  // XEP-0333
  markable: { at: 'child-name', ns: NS_CHAT_MARKERS },
  displayed: { at: 'child-attribute', ns: NS_CHAT_MARKERS, attribute: 'id' },
  // XEP-0359
  stanza_ids: {
    at: 'children',
    item: {
      name: 'stanza-id',
      ns: 'urn:xmpp:sid:0',
      type: 'object',
      fields: { id: { at: 'attribute', type: 'string' }, by: { at: 'attribute', type: 'string' } },
    },
  },
  delay: delayField,
  nick: nickField,
  // XEP-0313: a result of an archive query.
  archive: {
    at: 'child',
    name: 'result',
    ns: NS_MAM,
    fields: {
      queryid: { at: 'attribute', type: 'string' },
      id: { at: 'attribute', type: 'string' },
      forward: forwardedField,
    },
  },
  forwarded: forwardedField,
  // XEP-0367
  attach_to: { at: 'child-attribute', name: 'attach-to', ns: 'urn:xmpp:message-attaching:1', attribute: 'id' },
  // XEP-0380
  encryption: { at: 'child-attribute', ns: 'urn:xmpp:eme:0', attribute: 'namespace' },
  // XEP-0428
  fallback: { at: 'child-name', ns: 'urn:xmpp:fallback:0' },
  // XEP-0249
  invite: {
    at: 'child',
    name: 'x',
    ns: 'jabber:x:conference',
    fields: {
      jid: { at: 'attribute', type: 'string' },
      reason: { at: 'attribute', type: 'string' },
      password: { at: 'attribute', type: 'string' },
      thread: { at: 'attribute', type: 'string' },
      continue: { at: 'attribute', type: 'boolean' },
    },
  },
  // XEP-0421
  occupant_id: { at: 'child-attribute', name: 'occupant-id', ns: 'urn:xmpp:occupant-id:0', attribute: 'id' },
  // XEP-0372
  reference: {
    at: 'child',
    ns: 'urn:xmpp:reference:0',
    fields: {
      type: { at: 'attribute', type: 'string' },
      uri: { at: 'attribute', type: 'string' },
      begin: { at: 'attribute', type: 'integer' },
      end: { at: 'attribute', type: 'integer' },
    },
  },
  // XEP-0461
  reply: {
    at: 'child',
    ns: 'urn:xmpp:reply:0',
    fields: { to: { at: 'attribute', type: 'string' }, id: { at: 'attribute', type: 'string' } },
  },
  rsm: rsmField,
};
