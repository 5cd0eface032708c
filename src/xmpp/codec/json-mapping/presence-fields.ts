import { attributeFields, delayField, nickField, rsmField } from './common-fields.ts';
import type { Fields } from './field-spec.ts';

const NS_MUC = 'http://jabber.org/protocol/muc';

/** mod_rest's presence fields. `"type": "available"` stands for no type attribute. */
export const presenceFields: Fields = {
  ...attributeFields,
  show: { at: 'child-text', type: 'string', values: ['away', 'chat', 'dnd', 'xa'] },
  status: { at: 'child-text', type: 'string' },
  priority: { at: 'child-text', type: 'integer' },
  // XEP-0115
  caps: {
    at: 'child',
    name: 'c',
    ns: 'http://jabber.org/protocol/caps',
    fields: {
      ext: { at: 'attribute', type: 'string' },
      hash: { at: 'attribute', type: 'string' },
      node: { at: 'attribute', type: 'string' },
      ver: { at: 'attribute', type: 'string' },
    },
  },
  // XEP-0319
  idle_since: { at: 'child-attribute', name: 'idle', ns: 'urn:xmpp:idle:1', attribute: 'since' },
  // XEP-0045: joining a room (`"join": true` is the older spelling of `"muc": {}`).
  muc: {
    at: 'child',
    name: 'x',
    ns: NS_MUC,
    fields: {
      history: {
        at: 'child',
        fields: {
          maxchars: { at: 'attribute', type: 'integer' },
          maxstanzas: { at: 'attribute', type: 'integer' },
          seconds: { at: 'attribute', type: 'integer' },
          since: { at: 'attribute', type: 'string' },
        },
      },
    },
  },
  // XEP-0153
  vcard_update: {
    at: 'child',
    name: 'x',
    ns: 'vcard-temp:x:update',
    fields: { photo: { at: 'child-text', type: 'string' } },
  },
  delay: delayField,
  nick: nickField,
  rsm: rsmField,
};
