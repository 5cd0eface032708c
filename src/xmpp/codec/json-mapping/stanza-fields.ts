import type { StanzaKind } from '../stanza.ts';
import { commandField } from './command-field.ts';
import { discoField, itemsField } from './disco-fields.ts';
import type { CustomMapping, Fields } from './field-spec.ts';
import { dataFormField, htmlField, oobUrlField, payloadField } from './inline-fields.ts';
import { iqFields } from './iq-fields.ts';
import { messageFields } from './message-fields.ts';
import { presenceFields } from './presence-fields.ts';

export const kindFields: Readonly<Record<StanzaKind, Fields>> = {
  message: messageFields,
  presence: presenceFields,
  iq: iqFields,
};

/**
 * The hand-written fields. As in mod_rest they apply to the top of a stanza of any kind, not
 * inside nested stanzas (a forwarded message carries only the table's fields).
 */
export const customFields: Readonly<Record<string, CustomMapping>> = {
  html: htmlField,
  oob_url: oobUrlField,
  disco: discoField,
  items: itemsField,
  command: commandField,
  dataform: dataFormField,
  payload: payloadField,
};

const topLevel = Object.fromEntries(
  (Object.keys(kindFields) as StanzaKind[]).map((kind) => [
    kind,
    {
      ...kindFields[kind],
      ...Object.fromEntries(Object.entries(customFields).map(([key, mapping]) => [key, { at: 'custom', mapping }])),
    },
  ]),
) as Record<StanzaKind, Fields>;

/** Everything a stanza of this kind maps, attributes included. */
export function topLevelFields(kind: StanzaKind): Fields {
  return topLevel[kind];
}

/** The field that carries, as XML, whatever the mapping cannot express (both ways). */
export const UNMAPPED_FIELD = 'xml';
