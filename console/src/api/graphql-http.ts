import type { TypedDocumentString } from '../../generated/graphql.ts';

/** Queries and mutations over HTTP POST /graphql, with the bearer token in a header. */
export class AuthError extends Error {}

/** A failed operation: the gateway's message, and its code when it gave one. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

interface GraphqlResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function postGraphql<T, V>(
  token: string,
  document: TypedDocumentString<T, V>,
  variables: V,
  signal?: AbortSignal,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/graphql-response+json, application/json',
        Authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query: document.toString(), variables }),
      signal: signal ?? null,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new RequestError('Cannot reach the gateway.', 'UNREACHABLE');
  }
  if (response.status === 401 || response.status === 403) {
    throw new AuthError(
      response.status === 403
        ? 'This token is not accepted by the gateway: it is neither one of its API_TOKENS nor a scoped token.'
        : 'A token is needed.',
    );
  }
  let body: GraphqlResponse<T>;
  try {
    body = (await response.json()) as GraphqlResponse<T>;
  } catch {
    throw new RequestError(`The gateway answered ${response.status} without a GraphQL result.`);
  }
  const first = body.errors?.[0];
  if (first) throw new RequestError(first.message, first.extensions?.code);
  if (!body.data) throw new RequestError(`The gateway answered ${response.status} without data.`);
  return body.data;
}
