import { NS_DATA_FORMS, NS_DELAY, NS_RSM } from '../namespaces.ts';
import type { Fields, FieldSpec } from './field-spec.ts';

/** The stanza's own attributes, under mod_rest's names; `lang` is xml:lang. */
export const attributeFields = {
  type: { at: 'attribute', type: 'string' },
  to: { at: 'attribute', type: 'string' },
  from: { at: 'attribute', type: 'string' },
  id: { at: 'attribute', type: 'string' },
  lang: { at: 'attribute', type: 'string', name: 'xml:lang' },
} as const satisfies Fields;

/** XEP-0203 Delayed Delivery: the timestamp only. */
export const delayField: FieldSpec = { at: 'child-attribute', name: 'delay', ns: NS_DELAY, attribute: 'stamp' };

/** XEP-0059 Result Set Management (`<set/>`). */
export const rsmField: FieldSpec = {
  at: 'child',
  name: 'set',
  ns: NS_RSM,
  fields: {
    after: { at: 'child-text', type: 'string' },
    before: { at: 'child-text', type: 'string' },
    count: { at: 'child-text', type: 'integer' },
    first: { at: 'child-text', type: 'string' },
    index: { at: 'child-text', type: 'integer' },
    last: { at: 'child-text', type: 'string' },
    max: { at: 'child-text', type: 'integer' },
  },
};

/**
 * XEP-0004 data form as util.datamapper reads it (field values under `values`): the form of an
 * archive query. Top-level forms and command forms use the richer `dataform` mapping instead.
 */
export const schemaFormField: FieldSpec = {
  at: 'child',
  name: 'x',
  ns: NS_DATA_FORMS,
  fields: {
    type: { at: 'attribute', type: 'string', values: ['cancel', 'form', 'result', 'submit'] },
    title: { at: 'child-text', type: 'string' },
    instructions: { at: 'child-text', type: 'string' },
    fields: {
      at: 'children',
      item: {
        name: 'field',
        type: 'object',
        fields: {
          var: { at: 'attribute', type: 'string' },
          type: { at: 'attribute', type: 'string' },
          label: { at: 'attribute', type: 'string' },
          desc: { at: 'child-text', type: 'string' },
          required: { at: 'child-name', ns: NS_DATA_FORMS },
          values: { at: 'children', item: { name: 'value', type: 'text', scalar: 'string' } },
          options: {
            at: 'children',
            item: {
              name: 'option',
              type: 'object',
              fields: { label: { at: 'attribute', type: 'string' }, value: { at: 'child-text', type: 'string' } },
            },
          },
        },
      },
    },
  },
};

/** Nickname (XEP-0172), on every kind. */
export const nickField: FieldSpec = {
  at: 'child-text',
  type: 'string',
  name: 'nick',
  ns: 'http://jabber.org/protocol/nick',
};
