import type { Element } from 'ltx';
import { NS_DATA_FORMS, NS_JSON_MESSAGE, NS_OOB, NS_XHTML, NS_XHTML_IM } from '../namespaces.ts';
import { parseXmlElement } from '../xml-parser.ts';
import { serializeElement } from '../xml-writer.ts';
import { dataFormSchema, readDataForm, writeDataForm } from './data-forms.ts';
import type { CustomMapping } from './field-spec.ts';
import { isJsonObject, type JsonObject, type JsonValue, unparsable } from './json-value.ts';
import { addChild, cloneElement, findChild, ownText } from './xml-tree.ts';

/**
 * The smaller hand-written fields of mod_rest's mapping: XHTML-IM as a string, the URL of an
 * out-of-band attachment, a JSON payload, and a data form at the top of a stanza.
 */

/** XEP-0071: the XHTML `<body>…</body>` as markup, without its namespace declaration. */
export const htmlField: CustomMapping = {
  read(parent) {
    const html = findChild(parent, 'html', NS_XHTML_IM);
    const body = html && findChild(html, 'body', NS_XHTML);
    if (!body) return undefined;
    const copy = cloneElement(body);
    delete copy.attrs.xmlns;
    return serializeElement(copy);
  },
  write(parent, value) {
    if (typeof value !== 'string') return;
    let wrapper: Element;
    try {
      // The markup is XML of its own: the strict parser (no DOCTYPE, entities, comments) reads it.
      wrapper = parseXmlElement(`<html xmlns='${NS_XHTML}'>${value}</html>`, { maxBytes: Number.MAX_SAFE_INTEGER });
    } catch (error) {
      throw unparsable(error);
    }
    const html = addChild(parent, 'html', NS_XHTML_IM);
    for (const child of wrapper.children) {
      if (typeof child === 'string') {
        html.t(child);
        continue;
      }
      const copy = cloneElement(child);
      copy.attrs.xmlns ??= NS_XHTML;
      html.cnode(copy);
    }
  },
  schema: {
    type: 'string',
    description: 'XEP-0071 XHTML-IM: the XHTML <body>…</body>',
    example: '<body><p>Hello!</p></body>',
  },
};

/** XEP-0066: the URL alone (mod_rest also maps the attachment as `oob`). */
export const oobUrlField: CustomMapping = {
  read(parent) {
    const oob = findChild(parent, 'x', NS_OOB);
    const url = oob && findChild(oob, 'url', NS_OOB);
    return url && ownText(url);
  },
  write(parent, value) {
    if (typeof value === 'string') addChild(addChild(parent, 'x', NS_OOB), 'url', NS_OOB).t(value);
  },
  schema: { type: 'string', format: 'uri', description: 'XEP-0066: the URL of an out-of-band attachment' },
};

/** XEP-0335 JSON containers: `{datatype, data}` where data is any JSON. */
export const payloadField: CustomMapping = {
  read(parent) {
    const payload = findChild(parent, 'payload', NS_JSON_MESSAGE);
    if (!payload) return undefined;
    const out: JsonObject = {};
    if (payload.attrs.datatype !== undefined) out.datatype = payload.attrs.datatype;
    const text = ownText(payload);
    if (text === '') return out;
    try {
      out.data = JSON.parse(text) as JsonValue;
    } catch {
      // Not JSON: the element travels as XML in the unmapped field instead.
      return undefined;
    }
    return out;
  },
  write(parent, value) {
    if (!isJsonObject(value)) return;
    const datatype = value.datatype;
    const payload = addChild(
      parent,
      'payload',
      NS_JSON_MESSAGE,
      typeof datatype === 'string' ? { datatype: datatype } : {},
    );
    if (!Object.hasOwn(value, 'data')) return;
    let data: string;
    try {
      data = JSON.stringify(value.data);
    } catch (error) {
      // Nested deeper than the stack (JSON.parse takes more than JSON.stringify gives back).
      throw unparsable(error);
    }
    payload.t(data);
  },
  schema: {
    type: 'object',
    description: 'XEP-0335 JSON container',
    properties: { datatype: { type: 'string' }, data: {} },
  },
};

/** A data form directly in the stanza. */
export const dataFormField: CustomMapping = {
  read(parent) {
    const form = findChild(parent, 'x', NS_DATA_FORMS);
    return form && readDataForm(form);
  },
  write: writeDataForm,
  schema: dataFormSchema,
};
