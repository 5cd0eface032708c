import { readStanzaError, type Stanza, type StanzaKind, stanzaKinds } from '../xmpp/codec/index.ts';
import { NS_CLIENT } from '../xmpp/codec/namespaces.ts';
import { namespaceOf } from '../subscribers/stanza-filter.ts';
import { builder } from './builder.ts';
import { enumValues } from './enum-values.ts';
import { StanzaErrorRef } from './errors.ts';
import { XmlElementRef } from './xml-element.ts';

/**
 * The `Stanza` interface: what every message, presence and iq has, typed, plus the raw XML of
 * the whole stanza (in jabber:client form, exactly what /rest would answer or a webhook gets).
 * Each kind declares its own `type` field, because GraphQL cannot narrow one enum per kind.
 */
export const StanzaKindEnum = builder.enumType('StanzaKind', {
  values: enumValues(stanzaKinds),
});

const GRAPHQL_TYPE_NAMES: Record<StanzaKind, string> = { message: 'Message', presence: 'Presence', iq: 'Iq' };

export const StanzaRef = builder.interfaceRef<Stanza>('Stanza');

StanzaRef.implement({
  description: 'A message, presence or iq: its common fields, its payload elements, and its raw XML.',
  resolveType: (stanza) => GRAPHQL_TYPE_NAMES[stanza.kind],
  fields: (t) => ({
    kind: t.field({ type: StanzaKindEnum, resolve: (stanza) => stanza.kind }),
    id: t.exposeString('id'),
    from: t.field({ type: 'JID', resolve: (stanza) => stanza.from }),
    to: t.field({ type: 'JID', resolve: (stanza) => stanza.to }),
    lang: t.string({
      nullable: true,
      description: 'The `xml:lang` of the stanza.',
      resolve: (stanza) => stanza.lang ?? null,
    }),
    error: t.field({
      type: StanzaErrorRef,
      nullable: true,
      description: 'The error of a `type="error"` stanza; null otherwise.',
      resolve: (stanza) => (stanza.type === 'error' ? (readStanzaError(stanza) ?? null) : null),
    }),
    payloads: t.field({
      type: [XmlElementRef],
      description: 'The child elements (body, extensions, the iq payload…), optionally only those in one namespace.',
      args: { xmlns: t.arg.string({ required: false }) },
      resolve: (stanza, { xmlns }) => {
        const children = stanza.payloads;
        return xmlns ? children.filter((child) => namespaceOf(child) === xmlns) : children;
      },
    }),
    cursor: t.string({
      nullable: true,
      description:
        'Where this inbound stanza stands in the inbound journal: give it as `after` to `stanzas` to resume ' +
        'after it, or to `inboundStanzas` to page back from it. Null when the journal is off ' +
        '(INBOUND_JOURNAL_DAYS) and for stanzas that did not arrive inbound.',
      resolve: (stanza, _args, ctx) => ctx.journal?.cursorOf(stanza) ?? null,
    }),
    xml: t.string({
      description: 'The whole stanza serialized exactly as it travels (jabber:client form, without xmlns).',
      resolve: (stanza) => stanza.toXml(),
    }),
  }),
});

/** The text of the first child named `name` in the stanza's own namespace, preferring the stanza's language. */
export function childText(stanza: Stanza, name: string): string | null {
  const candidates = stanza.payloads.filter(
    (child) => child.name === name && (child.attrs.xmlns === undefined || child.attrs.xmlns === NS_CLIENT),
  );
  const lang = stanza.lang;
  const chosen =
    candidates.find((child) => child.attrs['xml:lang'] === undefined || child.attrs['xml:lang'] === lang) ??
    candidates[0];
  return chosen ? chosen.getText() : null;
}
