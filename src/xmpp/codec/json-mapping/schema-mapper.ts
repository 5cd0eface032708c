import type { Element } from 'ltx';
import type { FieldSpec, Fields, ItemSpec } from './field-spec.ts';
import { field, isJsonObject, type JsonObject, type JsonValue, unparsable } from './json-value.ts';
import { scalarFromXml, scalarToXml } from './scalars.ts';
import { addChild, childElements, findChild, namespaceOf, ownText } from './xml-tree.ts';

/**
 * Reads and writes the fields of one element after a field table (field-spec.ts). Both ways
 * follow util.datamapper, so the JSON is the one mod_rest's clients know. Nesting is bounded:
 * a forwarded message may hold a forwarded message, and so on, as deep as a body allows.
 */
export const MAX_DEPTH = 32;

export function resolveFields(fields: Fields | (() => Fields)): Fields {
  return typeof fields === 'function' ? fields() : fields;
}

export function readFields(element: Element, fields: Fields, depth = 0): JsonObject {
  const out: JsonObject = {};
  if (depth > MAX_DEPTH) return out;
  for (const [key, spec] of Object.entries(fields)) {
    const value = readField(element, key, spec, depth);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function readField(element: Element, key: string, spec: FieldSpec, depth: number): JsonValue | undefined {
  const here = namespaceOf(element);
  switch (spec.at) {
    case 'attribute':
      return scalarFromXml(spec.type, element.attrs[spec.name ?? key]);
    case 'text':
      return scalarFromXml(spec.type, ownText(element));
    case 'child-text': {
      const child = findChild(element, spec.name ?? key, spec.ns ?? here);
      return child && scalarFromXml(spec.type, ownText(child));
    }
    case 'child-attribute':
      return findChild(element, spec.name ?? key, spec.ns ?? here)?.attrs[spec.attribute];
    case 'child-name':
      if (spec.values) return spec.values.find((value) => findChild(element, value, spec.ns));
      return findChild(element, spec.name ?? key, spec.ns) ? true : undefined;
    case 'child': {
      const child = findChild(element, spec.name ?? key, spec.ns ?? here);
      return child && readFields(child, resolveFields(spec.fields), depth + 1);
    }
    case 'children': {
      const items = readItems(element, spec.item, depth);
      return items.length > 0 ? items : undefined;
    }
    case 'wrapped': {
      const wrapper = findChild(element, spec.name ?? key, spec.ns ?? here);
      return wrapper && readItems(wrapper, spec.item, depth);
    }
    case 'custom':
      return spec.mapping.read(element);
  }
}

function readItems(parent: Element, item: ItemSpec, depth: number): JsonValue[] {
  const items: JsonValue[] = [];
  for (const child of childElements(parent, item.name, item.ns ?? namespaceOf(parent))) {
    const value =
      item.type === 'object'
        ? readFields(child, item.fields, depth + 1)
        : scalarFromXml(item.scalar, item.type === 'text' ? ownText(child) : child.attrs[item.attribute]);
    if (value !== undefined) items.push(value);
  }
  return items;
}

export function writeFields(element: Element, object: JsonObject, fields: Fields, depth = 0): void {
  if (depth > MAX_DEPTH) throw unparsable();
  for (const [key, spec] of Object.entries(fields)) {
    const value = field(object, key);
    if (value !== undefined && value !== null) writeField(element, key, spec, value, depth);
  }
}

function writeField(element: Element, key: string, spec: FieldSpec, value: JsonValue, depth: number): void {
  const here = namespaceOf(element);
  switch (spec.at) {
    case 'attribute': {
      const text = scalarToXml(spec.type, value, spec.values);
      if (text !== undefined) element.attrs[spec.name ?? key] = text;
      return;
    }
    case 'text': {
      const text = scalarToXml(spec.type, value);
      if (text !== undefined) element.t(text);
      return;
    }
    case 'child-text': {
      const text = scalarToXml(spec.type, value, spec.values);
      if (text !== undefined) addChild(element, spec.name ?? key, spec.ns ?? here).t(text);
      return;
    }
    case 'child-attribute':
      if (typeof value === 'string') addChild(element, spec.name ?? key, spec.ns ?? here, { [spec.attribute]: value });
      return;
    case 'child-name':
      if (spec.values ? typeof value === 'string' && spec.values.includes(value) : value === true)
        addChild(element, spec.values ? (value as string) : (spec.name ?? key), spec.ns);
      return;
    case 'child':
      if (isJsonObject(value))
        writeFields(addChild(element, spec.name ?? key, spec.ns ?? here), value, resolveFields(spec.fields), depth + 1);
      return;
    case 'children':
      if (Array.isArray(value)) writeItems(element, spec.item, value, depth);
      return;
    case 'wrapped': {
      // `{}` too: an empty list, as a Lua table (GET /rest/stats/{to} asks with an empty object).
      const items = Array.isArray(value)
        ? value
        : isJsonObject(value) && Object.keys(value).length === 0
          ? []
          : undefined;
      if (items) writeItems(addChild(element, spec.name ?? key, spec.ns ?? here), spec.item, items, depth);
      return;
    }
    case 'custom':
      spec.mapping.write(element, value);
      return;
  }
}

function writeItems(parent: Element, item: ItemSpec, values: JsonValue[], depth: number): void {
  const ns = item.ns ?? namespaceOf(parent);
  for (const value of values) {
    if (item.type === 'object') {
      if (isJsonObject(value)) writeFields(addChild(parent, item.name, ns), value, item.fields, depth + 1);
      continue;
    }
    const text = scalarToXml(item.scalar, value);
    if (text === undefined) continue;
    if (item.type === 'text') addChild(parent, item.name, ns).t(text);
    else addChild(parent, item.name, ns, { [item.attribute]: text });
  }
}
