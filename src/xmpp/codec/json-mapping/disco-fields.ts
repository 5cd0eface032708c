import { NS_DATA_FORMS, NS_DISCO_INFO, NS_DISCO_ITEMS } from '../namespaces.ts';
import { formDataSchema, readFormData, writeFormData } from './data-forms.ts';
import type { CustomMapping } from './field-spec.ts';
import { isJsonObject, type JsonObject, type JsonValue } from './json-value.ts';
import { addChild, childElements, elementChildren, findChild } from './xml-tree.ts';

/**
 * XEP-0030 service discovery as mod_rest maps it. A query is `true` or a node name; an answer
 * is `{identities, features, extensions}` (info) or an item list (items).
 */
function queryAttrs(node: JsonValue | undefined): Record<string, string> {
  // An empty string (a form's `disco=`) asks without a node.
  return typeof node === 'string' && node !== '' ? { node: node } : {};
}

export const discoField: CustomMapping = {
  read(parent) {
    const query = findChild(parent, 'query', NS_DISCO_INFO);
    if (!query) return undefined;
    if (elementChildren(query).length === 0) return query.attrs.node ?? true;
    const out: JsonObject = {};
    if (query.attrs.node !== undefined) out.node = query.attrs.node;
    out.identities = childElements(query, 'identity', NS_DISCO_INFO)
      .filter((identity) => identity.attrs.category !== undefined && identity.attrs.type !== undefined)
      .map((identity) => {
        const entry: JsonObject = { category: identity.attrs.category!, type: identity.attrs.type! };
        if (identity.attrs.name !== undefined) entry.name = identity.attrs.name;
        return entry;
      });
    out.features = childElements(query, 'feature', NS_DISCO_INFO)
      .map((feature) => feature.attrs.var)
      .filter((name): name is string => name !== undefined);
    // XEP-0128: extended information, keyed by each form's FORM_TYPE.
    const extensions: JsonObject = {};
    for (const form of childElements(query, 'x', NS_DATA_FORMS)) {
      const data = readFormData(form);
      const formType = Array.isArray(data.FORM_TYPE) ? data.FORM_TYPE[0] : data.FORM_TYPE;
      if (typeof formType !== 'string') continue;
      delete data.FORM_TYPE;
      extensions[formType] = data;
    }
    if (Object.keys(extensions).length > 0) out.extensions = extensions;
    return out;
  },
  write(parent, value) {
    if (value === true || typeof value === 'string') {
      addChild(parent, 'query', NS_DISCO_INFO, queryAttrs(value));
      return;
    }
    if (!isJsonObject(value)) return;
    const query = addChild(parent, 'query', NS_DISCO_INFO, queryAttrs(value.node));
    for (const identity of Array.isArray(value.identities) ? value.identities : []) {
      if (!isJsonObject(identity)) continue;
      const attrs: Record<string, string> = {};
      for (const name of ['category', 'type', 'name'])
        if (typeof identity[name] === 'string') attrs[name] = identity[name];
      addChild(query, 'identity', NS_DISCO_INFO, attrs);
    }
    for (const feature of Array.isArray(value.features) ? value.features : [])
      if (typeof feature === 'string') addChild(query, 'feature', NS_DISCO_INFO, { var: feature });
    if (isJsonObject(value.extensions))
      for (const [formType, data] of Object.entries(value.extensions))
        if (isJsonObject(data)) writeFormData(query, data, 'result', formType);
  },
  schema: {
    description: 'XEP-0030 disco#info: true or a node to ask; the answer as identities, features, extensions',
    oneOf: [
      { type: 'boolean', enum: [true] },
      { type: 'string', description: 'a node' },
      {
        type: 'object',
        properties: {
          node: { type: 'string' },
          identities: {
            type: 'array',
            items: {
              type: 'object',
              properties: { category: { type: 'string' }, type: { type: 'string' }, name: { type: 'string' } },
            },
          },
          features: { type: 'array', items: { type: 'string' } },
          extensions: { type: 'object', additionalProperties: formDataSchema },
        },
      },
    ],
  },
};

export const itemsField: CustomMapping = {
  read(parent) {
    const query = findChild(parent, 'query', NS_DISCO_ITEMS);
    if (!query) return undefined;
    if (elementChildren(query).length === 0) return query.attrs.node ?? true;
    return childElements(query, 'item', NS_DISCO_ITEMS).map((item) => {
      const entry: JsonObject = {};
      for (const name of ['jid', 'node', 'name']) if (item.attrs[name] !== undefined) entry[name] = item.attrs[name];
      return entry;
    });
  },
  write(parent, value) {
    if (value === true || typeof value === 'string') {
      addChild(parent, 'query', NS_DISCO_ITEMS, queryAttrs(value));
      return;
    }
    if (isJsonObject(value)) {
      addChild(parent, 'query', NS_DISCO_ITEMS, queryAttrs(value.node));
      return;
    }
    if (!Array.isArray(value)) return;
    const query = addChild(parent, 'query', NS_DISCO_ITEMS);
    for (const item of value) {
      if (typeof item === 'string') addChild(query, 'item', NS_DISCO_ITEMS, { jid: item });
      if (!isJsonObject(item)) continue;
      const attrs: Record<string, string> = {};
      for (const name of ['jid', 'node', 'name']) if (typeof item[name] === 'string') attrs[name] = item[name];
      addChild(query, 'item', NS_DISCO_ITEMS, attrs);
    }
  },
  schema: {
    description: 'XEP-0030 disco#items: true or a node to ask; the answer as a list of items',
    oneOf: [
      { type: 'boolean', enum: [true] },
      { type: 'string', description: 'a node' },
      {
        type: 'array',
        items: {
          type: 'object',
          properties: { jid: { type: 'string' }, node: { type: 'string' }, name: { type: 'string' } },
        },
      },
    ],
  },
};
