import type { Stanza } from '../xmpp/codec/index.ts';
import { effectiveType } from '../subscribers/stanza-filter.ts';
import { Bounced, sendOrBounce } from './bounced.ts';
import { builder } from './builder.ts';
import { enumValues } from './enum-values.ts';
import { resultNames, sendFailures } from './errors.ts';
import { childText, StanzaRef } from './stanza.ts';
import { buildStanza, commonInputDescriptions, senderFields, textChild } from './stanza-input.ts';

/** `<message/>` (RFC 6121 §5): its type, body, subject and thread, and `sendMessage`. */
const MESSAGE_TYPES = ['chat', 'error', 'groupchat', 'headline', 'normal'] as const;
type MessageType = (typeof MESSAGE_TYPES)[number];

export const MessageTypeEnum = builder.enumType('MessageType', {
  values: enumValues(MESSAGE_TYPES),
});

export const MessageRef = builder.objectRef<Stanza>('Message');

MessageRef.implement({
  interfaces: [StanzaRef],
  isTypeOf: (stanza) => (stanza as Stanza).kind === 'message',
  fields: (t) => ({
    type: t.field({
      type: MessageTypeEnum,
      description: 'Absent or unknown types read as NORMAL (RFC 6121 §5.2.2).',
      resolve: (stanza) => effectiveType(stanza) as MessageType,
    }),
    body: t.string({ nullable: true, resolve: (stanza) => childText(stanza, 'body') }),
    subject: t.string({ nullable: true, resolve: (stanza) => childText(stanza, 'subject') }),
    thread: t.string({ nullable: true, resolve: (stanza) => childText(stanza, 'thread') }),
  }),
});

const SendMessageInput = builder.inputType('SendMessageInput', {
  fields: (t) => ({
    to: t.field({ type: 'JID', required: true, description: commonInputDescriptions.to }),
    ...senderFields(t),
    type: t.field({ type: MessageTypeEnum, description: 'Omitted from the stanza when absent (which means NORMAL).' }),
    body: t.string(),
    subject: t.string(),
    thread: t.string(),
    payloads: t.stringList({ description: commonInputDescriptions.payloads }),
  }),
});

builder.mutationField('sendMessage', (t) =>
  t.field({
    type: MessageRef,
    description:
      'Sends a message; resolves once the XMPP server has processed it, with the stanza as sent, or with `Bounced` when the server refused it at once.',
    args: { input: t.arg({ type: SendMessageInput, required: true }) },
    errors: { types: [Bounced, ...sendFailures], ...resultNames('SendMessage', 'sent') },
    resolve: async (_root, { input }, ctx) => {
      const stanza = buildStanza(ctx, 'message', input, { type: input.type ?? undefined }, [
        ...textChild('subject', input.subject),
        ...textChild('body', input.body),
        ...textChild('thread', input.thread),
      ]);
      return sendOrBounce(ctx, stanza);
    },
  }),
);
