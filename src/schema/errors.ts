import { GraphQLError } from 'graphql';
import { type FailureGroup, failureGroup } from '../errors/failure-groups.ts';
import { type FailureKind, failures } from '../errors/failures.ts';
import { GatewayError } from '../errors/gateway-error.ts';
import { type StanzaErrorType, type StanzaErrorValue, stanzaErrorTypes } from '../errors/stanza-error.ts';
import { builder } from './builder.ts';
import { enumName, enumValues } from './enum-values.ts';

/**
 * The one place where failures become GraphQL: the failure table's kinds (src/errors) are the
 * `FailureKind` enum, and its group column (failure-groups.ts) picks the union member. The core
 * throws plain GatewayErrors; each member class below recognises the kinds of its group through
 * `Symbol.hasInstance`, which is all the errors plugin asks of a class (`error instanceof type`),
 * so resolvers let failures propagate and never translate them by hand.
 */
export const StanzaErrorTypeEnum = builder.enumType('StanzaErrorType', {
  description: 'RFC 6120 §8.3.2: how the receiver of an error should react to it.',
  values: enumValues(stanzaErrorTypes),
});

export const FailureKindEnum = builder.enumType('FailureKind', {
  description: "The gateway's own failures: one value per row of its failure table (the same rows /rest answers with).",
  values: enumValues(Object.keys(failures) as FailureKind[], (kind) => failures[kind].text),
});

export const StanzaErrorRef = builder.objectRef<StanzaErrorValue>('StanzaError').implement({
  description: 'The `<error/>` of an error stanza (RFC 6120 §8.3): its type, defined condition and optional text.',
  fields: (t) => ({
    type: t.field({ type: StanzaErrorTypeEnum, resolve: (error) => error.type }),
    condition: t.exposeString('condition', { description: 'The defined condition, e.g. `service-unavailable`.' }),
    text: t.string({ nullable: true, resolve: (error) => error.text ?? null }),
  }),
});

interface ErrorShape {
  message: string;
  type: StanzaErrorType;
  condition: string;
}

export const ErrorInterface = builder.interfaceRef<ErrorShape>('Error').implement({
  description: 'Every error result: a message for people, and the stanza error type and condition for programs.',
  fields: (t) => ({
    message: t.exposeString('message'),
    type: t.field({ type: StanzaErrorTypeEnum, resolve: (error) => error.type }),
    condition: t.exposeString('condition'),
  }),
});

/**
 * One result-union member per failure group: a GatewayError subclass whose `instanceof`
 * recognises the kinds of its group (GatewayError's own instanceof is the default one), and the
 * GraphQL object type backed by it.
 */
function failureMember(group: FailureGroup, name: string, description: string) {
  const member = class extends GatewayError {
    static override [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof GatewayError && failureGroup(value.kind) === group;
    }
  };
  Object.defineProperty(member, 'name', { value: name });
  builder.objectType(member, {
    name,
    description,
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof member,
    fields: (t) => ({
      kind: t.field({ type: FailureKindEnum, resolve: (error) => error.kind }),
      field: t.string({
        nullable: true,
        description: 'The input field at fault, when there is one.',
        resolve: (error) => error.field ?? null,
      }),
      retryAfterSeconds: t.int({
        nullable: true,
        description: 'Seconds after which a retry may succeed.',
        resolve: (error) => error.retryAfterSeconds ?? null,
      }),
    }),
  });
  return member;
}

export const InvalidInput = failureMember(
  'input',
  'InvalidInput',
  'An argument broke a rule (the /rest stanza rules, a limit); `field` names it.',
);
export const Unavailable = failureMember(
  'unavailable',
  'Unavailable',
  'The XMPP link is down or saturated, or the gateway is stopping; retry later.',
);
export const IqTimeout = failureMember(
  'timeout',
  'IqTimeout',
  'No iq reply arrived within the timeout (`wait/remote-server-timeout`).',
);
export const Refused = failureMember(
  'refused',
  'Refused',
  'The request conflicts with the state of an exchange: a duplicate iq id, or a reply nobody waits for.',
);

/**
 * A failure outside any result union (a subscription that ends, a refused request) as a
 * GraphQL error: yoga passes GraphQLErrors through unmasked, with the kind as the code.
 */
export function graphqlErrorOf(error: GatewayError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: enumName(error.kind), type: error.type, condition: error.condition },
  });
}

/**
 * For fields without a result union (queries, subscriptions, nested fields): a GatewayError
 * becomes its coded GraphQL error, so that yoga does not mask it as "Unexpected error."; any
 * other failure is returned as it is (and stays masked).
 */
export function codedError(error: unknown): unknown {
  return error instanceof GatewayError ? graphqlErrorOf(error) : error;
}

/** Runs a resolver's work with its GatewayErrors coded (codedError). */
export async function coded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw codedError(error);
  }
}

/** The error members every sending mutation may answer with. */
export const sendFailures = [InvalidInput, Unavailable, Refused];

/**
 * Names a mutation's result union `<Name>Result` and its success member `<Name>Success`. The
 * data field must not be `message` (every error member has a `message: String!`).
 */
export function resultNames(name: string, dataField: string) {
  return { union: { name: `${name}Result` }, result: { name: `${name}Success` }, dataField: { name: dataField } };
}
