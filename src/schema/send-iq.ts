import { builder } from './builder.ts';
import { resultNames } from './errors.ts';
import { iqFailures, IqRef, IqRequestTypeEnum, requestIq, timeoutMsDescription } from './iq.ts';
import { buildStanza, commonInputDescriptions, senderFields, parseFragment } from './stanza-input.ts';

/** `sendIq`: a typed iq request whose result is the reply (or a typed error). */
const SendIqInput = builder.inputType('SendIqInput', {
  fields: (t) => ({
    to: t.field({ type: 'JID', required: true, description: commonInputDescriptions.to }),
    ...senderFields(t),
    type: t.field({ type: IqRequestTypeEnum, required: true }),
    payload: t.string({ required: true, description: 'The one child element, as raw XML, sent byte for byte.' }),
  }),
});

builder.mutationField('sendIq', (t) =>
  t.field({
    type: IqRef,
    description: 'Sends an iq get/set and resolves with its `type="result"` reply, or an error result.',
    args: {
      input: t.arg({ type: SendIqInput, required: true }),
      timeoutMs: t.arg.int({ description: timeoutMsDescription }),
    },
    errors: { types: iqFailures, ...resultNames('SendIq', 'reply') },
    resolve: (_root, { input, timeoutMs }, ctx) => {
      const payload = parseFragment(input.payload, 'payload', ctx.maxStanzaBytes);
      return requestIq(ctx, buildStanza(ctx, 'iq', input, { type: input.type }, [payload]), timeoutMs);
    },
  }),
);
