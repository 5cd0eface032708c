import type { Element } from 'ltx';
import { stanzaErrorTypes, type StanzaErrorType } from '../../../errors/stanza-error.ts';
import { NS_STANZAS } from '../../../errors/stanza-error.ts';
import { NS_CLIENT } from '../namespaces.ts';
import { errorElement } from '../replies.ts';
import type { StanzaKind } from '../stanza.ts';
import { attributeFields } from './common-fields.ts';
import { field, isJsonObject, type JsonObject, stringField } from './json-value.ts';
import { readFields, writeFields } from './schema-mapper.ts';
import { topLevelFields } from './stanza-fields.ts';
import { elementChildren, findChild, ownText } from './xml-tree.ts';

/**
 * A stanza's content both ways: its attributes and mapped fields, or, for an error stanza, its
 * attributes and `error` only (as mod_rest maps error stanzas).
 */
export function readContent(element: Element, kind: StanzaKind, parts: 'fields' | 'error' | 'both'): JsonObject {
  const out = parts === 'error' ? readFields(element, attributeFields) : readFields(element, topLevelFields(kind));
  if (parts !== 'fields') {
    const error = readError(element);
    if (error) out.error = error;
  }
  return out;
}

export function writeContent(element: Element, kind: StanzaKind, object: JsonObject): void {
  let fields = object;
  // `oob` and `oob_url` stand for one attachment when they agree (mod_rest's JSON has both).
  const oob = field(object, 'oob');
  if (kind === 'message' && isJsonObject(oob) && oob.url === field(object, 'oob_url')) {
    fields = { ...object };
    delete fields.oob_url;
  }
  writeFields(element, fields, topLevelFields(kind));
  const error = field(object, 'error');
  if (isJsonObject(error)) element.cnode(writeError(error));
}

function readError(element: Element): JsonObject | undefined {
  const error = findChild(element, 'error', NS_CLIENT);
  if (!error) return undefined;
  const out: JsonObject = {};
  if (error.attrs.type !== undefined) out.type = error.attrs.type;
  const condition = elementChildren(error).find((child) => child.getNS() === NS_STANZAS && child.getName() !== 'text');
  if (condition) out.condition = condition.getName();
  const text = findChild(error, 'text', NS_STANZAS);
  if (text) out.text = ownText(text);
  if (error.attrs.by !== undefined) out.by = error.attrs.by;
  return out;
}

const CONDITION = /^[a-z][a-z-]*$/;

function writeError(error: JsonObject): Element {
  const given = stringField(error, 'type');
  const type = stanzaErrorTypes.includes(given as StanzaErrorType) ? (given as StanzaErrorType) : 'cancel';
  const condition = stringField(error, 'condition');
  const text = stringField(error, 'text');
  const by = stringField(error, 'by');
  return errorElement(
    {
      type,
      condition: condition !== undefined && CONDITION.test(condition) ? condition : 'undefined-condition',
      text: text === undefined ? undefined : text,
    },
    by === undefined ? undefined : by,
  );
}
