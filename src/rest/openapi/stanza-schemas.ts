import {
  type FieldSpec,
  type Fields,
  type ItemSpec,
  kindFields,
  UNMAPPED_FIELD,
  customFields,
} from '../../xmpp/codec/json-mapping/index.ts';
import type { StanzaKind } from '../../xmpp/codec/index.ts';

/**
 * The JSON schemas of message, presence and iq, printed from the mapping's own tables: the
 * OpenAPI document cannot describe a field the mapping lacks, nor miss one it has.
 */
type Schema = Record<string, unknown>;

const named = new Map<Fields, StanzaKind>(
  (Object.entries(kindFields) as [StanzaKind, Fields][]).map(([kind, fields]) => [fields, kind]),
);

function fieldsSchema(fields: Fields): Schema {
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(fields).map(([key, spec]) => [key, fieldSchema(spec)])),
  };
}

function scalar(type: string, values?: readonly string[]): Schema {
  return values ? { type, enum: [...values] } : { type };
}

function fieldSchema(spec: FieldSpec): Schema {
  switch (spec.at) {
    case 'attribute':
    case 'text':
      return scalar(spec.type, 'values' in spec ? spec.values : undefined);
    case 'child-text':
      return scalar(spec.type, spec.values);
    case 'child-attribute':
      return { type: 'string' };
    case 'child-name':
      return spec.values ? scalar('string', spec.values) : { type: 'boolean', enum: [true] };
    case 'child': {
      const fields = typeof spec.fields === 'function' ? spec.fields() : spec.fields;
      const kind = named.get(fields);
      return kind ? { $ref: `#/components/schemas/${kind}` } : fieldsSchema(fields);
    }
    case 'children':
    case 'wrapped':
      return { type: 'array', items: itemSchema(spec.item) };
    case 'custom':
      return { ...spec.mapping.schema };
  }
}

function itemSchema(item: ItemSpec): Schema {
  return item.type === 'object' ? fieldsSchema(item.fields) : { type: item.scalar };
}

export const stanzaErrorSchema: Schema = {
  type: 'object',
  description:
    'a stanza error (RFC 6120 §8.3); in a form, the fields error_type, error_condition, error_text, error_by',
  properties: {
    type: { type: 'string', enum: ['auth', 'cancel', 'continue', 'modify', 'wait'] },
    condition: { type: 'string', example: 'item-not-found' },
    text: { type: 'string' },
    by: { type: 'string' },
  },
};

export function stanzaSchema(kind: StanzaKind): Schema {
  const schema = fieldsSchema(kindFields[kind]);
  const properties = schema.properties as Schema;
  for (const [key, mapping] of Object.entries(customFields)) properties[key] = { ...mapping.schema };
  properties.kind = { type: 'string', enum: [kind] };
  properties.error = { $ref: '#/components/schemas/stanza_error' };
  properties[UNMAPPED_FIELD] = {
    type: 'string',
    description:
      'child elements the mapping does not express (or not exactly), as XML; elements given here are sent as they are',
  };
  return schema;
}
