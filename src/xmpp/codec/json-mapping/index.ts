/**
 * mod_rest's JSON mapping of stanzas (its JSON and form bodies, and its callbacks), built on the
 * one codec: JSON becomes an ltx element that the codec's rules validate like parsed XML, and a
 * Stanza becomes JSON. What the mapping cannot express travels as XML in the `xml` field.
 */
export { elementFromJson, type FromJsonOptions } from './json-to-element.ts';
export { jsonFromElement } from './element-to-json.ts';
export { UNMAPPED_FIELD, kindFields, customFields } from './stanza-fields.ts';
export { isJsonObject, type JsonObject, type JsonValue } from './json-value.ts';
export type { FieldSpec, Fields, ItemSpec } from './field-spec.ts';
