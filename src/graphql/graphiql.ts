import { type GraphiQLOptions, renderGraphiQL } from 'graphql-yoga';

/**
 * Yoga's GraphiQL page, with one change: browsers cannot set headers on a WebSocket, so GraphiQL's
 * graphql-ws client sends the Authorization header typed into its headers editor (persisted in
 * localStorage as `graphiql:headers`) as connectionParams. The client connects lazily and closes
 * when idle, so each new connection reads the current token. The page itself needs no token.
 */
const CONNECTION_PARAMS = `function stanzaGatewayConnectionParams() {
  try {
    var headers = JSON.parse(localStorage.getItem('graphiql:headers') || '{}');
    for (var name in headers) if (name.toLowerCase() === 'authorization') return { authorization: String(headers[name]) };
  } catch (e) {}
  return {};
}`;

const RENDER_CALL = /YogaGraphiQL\.renderYogaGraphiQL\(root,(.*?)\)\}\)<\/script>/s;

export function renderGraphiql(options: GraphiQLOptions): string {
  const html = renderGraphiQL(options);
  // Functions cannot travel in the JSON options yoga inlines, hence the edit of its page.
  return html.replace(
    RENDER_CALL,
    (_match, opts: string) =>
      `YogaGraphiQL.renderYogaGraphiQL(root,Object.assign(${opts},{connectionParams:stanzaGatewayConnectionParams}))})</script>` +
      `<script>${CONNECTION_PARAMS}</script>`,
  );
}
