import type { Element } from 'ltx';
import { NS_DATA_FORMS } from '../namespaces.ts';
import { isJsonObject, type JsonObject, type JsonValue } from './json-value.ts';
import { addChild, childElements, findChild, ownText } from './xml-tree.ts';

/**
 * XEP-0004 data forms in mod_rest's two shapes: the full form (`dataform`, a command's `form`)
 * with its fields described, and the bare values (`formdata`: a disco extension, a command's
 * `data`) keyed by field name.
 */
const MULTI_VALUE = new Set(['jid-multi', 'list-multi']);
const LIST = new Set(['list-single', 'list-multi']);

function valuesOf(field: Element): string[] {
  return childElements(field, 'value', NS_DATA_FORMS).map(ownText);
}

function childText(parent: Element, name: string): string | undefined {
  const child = findChild(parent, name, NS_DATA_FORMS);
  return child && ownText(child);
}

export function readDataForm(form: Element): JsonObject {
  const out: JsonObject = {};
  setIfDefined(out, 'type', form.attrs.type);
  setIfDefined(out, 'title', childText(form, 'title'));
  setIfDefined(out, 'instructions', childText(form, 'instructions'));
  out.fields = childElements(form, 'field', NS_DATA_FORMS).map((field) => {
    const type = field.attrs.type;
    const item: JsonObject = {};
    setIfDefined(item, 'var', field.attrs.var);
    setIfDefined(item, 'type', type);
    setIfDefined(item, 'label', field.attrs.label);
    setIfDefined(item, 'desc', childText(field, 'desc'));
    if (findChild(field, 'required', NS_DATA_FORMS)) item.required = true;
    const values = valuesOf(field);
    if (type !== undefined && MULTI_VALUE.has(type)) item.value = values;
    else if (type === 'text-multi') item.value = values.join('\n');
    else setIfDefined(item, 'value', values[0]);
    if (type !== undefined && LIST.has(type)) {
      item.options = childElements(field, 'option', NS_DATA_FORMS).map((option) => {
        const entry: JsonObject = {};
        setIfDefined(entry, 'label', option.attrs.label);
        setIfDefined(entry, 'value', childText(option, 'value'));
        return entry;
      });
    }
    return item;
  });
  return out;
}

export function writeDataForm(parent: Element, value: JsonValue): void {
  if (!isJsonObject(value)) return;
  const form = addChild(parent, 'x', NS_DATA_FORMS, attributes(value, ['type']));
  for (const name of ['title', 'instructions']) {
    const text = value[name];
    if (typeof text === 'string') addChild(form, name, NS_DATA_FORMS).t(text);
  }
  const fields = value.fields;
  if (!Array.isArray(fields)) return;
  for (const field of fields) {
    if (!isJsonObject(field)) continue;
    const element = addChild(form, 'field', NS_DATA_FORMS, attributes(field, ['var', 'type', 'label']));
    if (typeof field.desc === 'string') addChild(element, 'desc', NS_DATA_FORMS).t(field.desc);
    if (field.required === true) addChild(element, 'required', NS_DATA_FORMS);
    writeValues(element, field.value);
    if (!Array.isArray(field.options)) continue;
    for (const option of field.options) {
      if (!isJsonObject(option)) continue;
      const entry = addChild(element, 'option', NS_DATA_FORMS, attributes(option, ['label']));
      if (typeof option.value === 'string') addChild(entry, 'value', NS_DATA_FORMS).t(option.value);
    }
  }
}

export function readFormData(form: Element): JsonObject {
  const out: JsonObject = {};
  for (const field of childElements(form, 'field', NS_DATA_FORMS)) {
    const name = field.attrs.var;
    if (name === undefined) continue;
    const type = field.attrs.type;
    const values = valuesOf(field);
    if (type !== undefined && LIST.has(type)) out[name] = values;
    else if (type === 'text-multi') out[name] = values.join('\n');
    else if (type === 'boolean') out[name] = values[0] === '1' || values[0] === 'true';
    else if (type !== undefined) out[name] = values[0] ?? null;
    else out[name] = values;
  }
  return out;
}

/** The bare values as a form of `type`; FORM_TYPE (XEP-0068), when given, first and hidden. */
export function writeFormData(parent: Element, data: JsonObject, type: string, formType?: string): void {
  const form = addChild(parent, 'x', NS_DATA_FORMS, { type });
  if (formType !== undefined) {
    const field = addChild(form, 'field', NS_DATA_FORMS, { var: 'FORM_TYPE', type: 'hidden' });
    addChild(field, 'value', NS_DATA_FORMS).t(formType);
  }
  for (const [name, value] of Object.entries(data)) {
    if (name === 'FORM_TYPE' && formType !== undefined) continue;
    writeValues(addChild(form, 'field', NS_DATA_FORMS, { var: name }), value);
  }
}

function writeValues(field: Element, value: JsonValue | undefined): void {
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  for (const entry of values) {
    const text =
      typeof entry === 'string'
        ? entry
        : typeof entry === 'boolean'
          ? entry
            ? '1'
            : '0'
          : typeof entry === 'number' && Number.isFinite(entry)
            ? String(entry)
            : undefined;
    if (text !== undefined) addChild(field, 'value', NS_DATA_FORMS).t(text);
  }
}

function attributes(object: JsonObject, names: string[]): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const name of names) {
    const value = Object.hasOwn(object, name) ? object[name] : undefined;
    if (typeof value === 'string') attrs[name] = value;
  }
  return attrs;
}

function setIfDefined(target: JsonObject, key: string, value: JsonValue | undefined): void {
  if (value !== undefined) target[key] = value;
}

export const dataFormSchema = {
  type: 'object',
  description: 'XEP-0004 data form',
  properties: {
    type: { type: 'string', enum: ['form', 'submit', 'cancel', 'result'] },
    title: { type: 'string' },
    instructions: { type: 'string' },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          var: { type: 'string' },
          type: { type: 'string' },
          label: { type: 'string' },
          desc: { type: 'string' },
          required: { type: 'boolean' },
          value: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
          options: {
            type: 'array',
            items: { type: 'object', properties: { label: { type: 'string' }, value: { type: 'string' } } },
          },
        },
      },
    },
  },
} as const;

export const formDataSchema = {
  type: 'object',
  description: 'the values of a data form by field name',
  additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
} as const;
