import type { Element } from 'ltx';
import type { JsonValue } from './json-value.ts';

/**
 * How one JSON field of mod_rest's mapping lives in XML. The shapes are those of Prosody's
 * util.datamapper (attribute, own text, a child's text, a child's single attribute, a child whose
 * name is the value, a child object, repeated children): one table per stanza kind describes the
 * whole mapping, both ways, and the OpenAPI schemas are printed from the same table.
 *
 * `name` defaults to the field's key; `ns` to the namespace of the element that holds the field.
 */
export type Scalar = 'string' | 'integer' | 'number' | 'boolean';

export type FieldSpec =
  | { at: 'attribute'; type: Scalar; name?: string; values?: readonly string[] }
  | { at: 'text'; type: Scalar }
  | { at: 'child-text'; type: Scalar; name?: string; ns?: string; values?: readonly string[] }
  | { at: 'child-attribute'; attribute: string; name?: string; ns?: string }
  /** A flag (`<markable/>`: true) or an enumeration (`<composing/>`: "composing"). */
  | { at: 'child-name'; ns: string; name?: string; values?: readonly string[] }
  | { at: 'child'; name?: string; ns?: string; fields: Fields | (() => Fields) }
  /** Children of the holding element itself, one per array item. */
  | { at: 'children'; item: ItemSpec }
  /** One wrapper child holding an element per array item. */
  | { at: 'wrapped'; name?: string; ns?: string; item: ItemSpec }
  | { at: 'custom'; mapping: CustomMapping };

export type ItemSpec = { name: string; ns?: string } & (
  | { type: 'object'; fields: Fields }
  | { type: 'text'; scalar: Scalar }
  | { type: 'attribute'; attribute: string; scalar: Scalar }
);

export type Fields = Readonly<Record<string, FieldSpec>>;

/**
 * A field the tables cannot describe (disco, commands, data forms, XHTML-IM…): hand-written
 * both ways. `read` sees the stanza, `write` adds what the value stands for (nothing when the
 * value has the wrong type). `schema` is its OpenAPI description.
 */
export interface CustomMapping {
  read(parent: Element): JsonValue | undefined;
  write(parent: Element, value: JsonValue): void;
  schema: Readonly<Record<string, unknown>>;
}
