import { GatewayError } from '../errors/gateway-error.ts';
import { effectiveType } from '../subscribers/stanza-filter.ts';
import type { Stanza } from '../xmpp/codec/index.ts';
import { Bounced, sendOrBounce } from './bounced.ts';
import { builder } from './builder.ts';
import { enumValues } from './enum-values.ts';
import { resultNames, sendFailures } from './errors.ts';
import { childText, StanzaRef } from './stanza.ts';
import { buildStanza, commonInputDescriptions, senderFields, textChild } from './stanza-input.ts';

/** `<presence/>` (RFC 6121 §4): type, show, status, priority, and `sendPresence`. */
const PRESENCE_TYPES = [
  'available',
  'unavailable',
  'subscribe',
  'subscribed',
  'unsubscribe',
  'unsubscribed',
  'probe',
  'error',
] as const;
const SHOWS = ['away', 'chat', 'dnd', 'xa'] as const;

export const PresenceTypeEnum = builder.enumType('PresenceType', {
  description: 'AVAILABLE is a presence without a type attribute.',
  values: enumValues(PRESENCE_TYPES),
});

export const PresenceShowEnum = builder.enumType('PresenceShow', { values: enumValues(SHOWS) });

function isOneOf<T extends string>(values: readonly T[], value: string | null | undefined): value is T {
  return value !== null && value !== undefined && (values as readonly string[]).includes(value);
}

export const PresenceRef = builder.objectRef<Stanza>('Presence');

PresenceRef.implement({
  interfaces: [StanzaRef],
  isTypeOf: (stanza) => (stanza as Stanza).kind === 'presence',
  fields: (t) => ({
    type: t.field({
      type: PresenceTypeEnum,
      nullable: true,
      description: 'Null only for a type RFC 6121 does not define (the raw `xml` keeps it).',
      resolve: (stanza) => {
        const type = effectiveType(stanza);
        return isOneOf(PRESENCE_TYPES, type) ? type : null;
      },
    }),
    show: t.field({
      type: PresenceShowEnum,
      nullable: true,
      resolve: (stanza) => {
        const show = childText(stanza, 'show');
        return isOneOf(SHOWS, show) ? show : null;
      },
    }),
    status: t.string({ nullable: true, resolve: (stanza) => childText(stanza, 'status') }),
    priority: t.int({
      description: 'Absent or invalid reads as 0 (RFC 6121 §4.7.2.3).',
      resolve: (stanza) => {
        const priority = Number(childText(stanza, 'priority') ?? '0');
        return Number.isInteger(priority) && priority >= -128 && priority <= 127 ? priority : 0;
      },
    }),
  }),
});

const SendPresenceInput = builder.inputType('SendPresenceInput', {
  fields: (t) => ({
    to: t.field({
      type: 'JID',
      description: `${commonInputDescriptions.to} Absent: the component domain, as /rest does.`,
    }),
    ...senderFields(t),
    type: t.field({ type: PresenceTypeEnum, description: 'AVAILABLE (the default) sends no type attribute.' }),
    show: t.field({ type: PresenceShowEnum }),
    status: t.string(),
    priority: t.int({ description: '-128 to 127.' }),
    payloads: t.stringList({ description: commonInputDescriptions.payloads }),
  }),
});

builder.mutationField('sendPresence', (t) =>
  t.field({
    type: PresenceRef,
    description:
      'Sends a presence; resolves once the XMPP server has processed it, with the stanza as sent, or with `Bounced` when the server refused it at once.',
    args: { input: t.arg({ type: SendPresenceInput, required: true }) },
    errors: { types: [Bounced, ...sendFailures], ...resultNames('SendPresence', 'sent') },
    resolve: async (_root, { input }, ctx) => {
      const { priority } = input;
      if (priority !== null && priority !== undefined && (priority < -128 || priority > 127)) {
        throw new GatewayError('invalid-argument', {
          field: 'priority',
          text: 'priority must be between -128 and 127',
        });
      }
      const type = input.type === 'available' ? undefined : (input.type ?? undefined);
      const stanza = buildStanza(ctx, 'presence', input, { type }, [
        ...textChild('show', input.show),
        ...textChild('status', input.status),
        ...textChild('priority', priority === null || priority === undefined ? undefined : String(priority)),
      ]);
      return sendOrBounce(ctx, stanza);
    },
  }),
);
