import type { Plugin } from 'graphql-yoga';
import { isGatewayError } from '../errors/gateway-error.ts';
import type { BearerAuth } from '../http/bearer-auth.ts';
import { graphqlErrorOf } from '../schema/errors.ts';

/**
 * Every GraphQL request over HTTP (queries, mutations, SSE subscriptions) needs the same bearer
 * token as /rest. Yoga runs user plugins after its CORS preflight and GraphiQL page handlers,
 * so the page loads without a token (the user pastes one into its headers editor) while no
 * operation runs without one. Sockets are checked in websocket.ts (graphql-ws skips HTTP hooks).
 */
export function useBearerAuth(auth: BearerAuth, realm: string): Plugin {
  return {
    onRequest(payload) {
      const { request, fetchAPI } = payload;
      try {
        auth.check(request.headers.get('authorization') ?? undefined);
      } catch (error) {
        if (!isGatewayError(error)) throw error;
        const headers: Record<string, string> = { 'Content-Type': 'application/json; charset=utf-8' };
        if (error.http === 401) headers['WWW-Authenticate'] = `Bearer realm="${realm}"`;
        const body = JSON.stringify({ errors: [graphqlErrorOf(error).toJSON()] });
        payload.endResponse(new fetchAPI.Response(body, { status: error.http, headers }));
      }
    },
  };
}
