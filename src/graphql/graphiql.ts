import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL with its assets inlined (@graphql-yoga/render-graphiql), so the page works where the
 * browser cannot reach a CDN, and with one change: browsers cannot set headers on a WebSocket,
 * so GraphiQL's graphql-ws client sends the Authorization header typed into its headers editor
 * (persisted in localStorage as `graphiql:headers`) as connectionParams. The client connects
 * lazily and closes when idle, so each new connection reads the current token. The page itself
 * needs no token.
 */
const CONNECTION_PARAMS = `function stanzaGatewayConnectionParams() {
  try {
    var headers = JSON.parse(localStorage.getItem('graphiql:headers') || '{}');
    for (var name in headers) {
      if (name.toLowerCase() === 'authorization') return { authorization: String(headers[name]) };
    }
  } catch (e) {}
  return {};
}
function stanzaGatewayRender(root, options) {
  var withParams = Object.assign({}, options, { connectionParams: stanzaGatewayConnectionParams });
  return YogaGraphiQL.renderYogaGraphiQL(root, withParams);
}`;

const RENDER_CALL = 'YogaGraphiQL.renderYogaGraphiQL(';

// The page is ~9 MB with its assets: built once per distinct options, not once per request.
let cached: { key: string; html: string } | undefined;

export function renderGraphiql(options: GraphiQLOptions): string {
  const key = JSON.stringify(options);
  if (cached?.key !== key) cached = { key, html: build(options) };
  return cached.html;
}

function build(options: GraphiQLOptions): string {
  const html = renderGraphiQL(options);
  // Functions cannot travel in the JSON options the page inlines: its last call to the renderer
  // goes through ours instead, defined in a script of its own before the page's.
  const at = html.lastIndexOf(RENDER_CALL);
  const head = html.indexOf('</head>');
  if (at === -1 || head === -1) throw new Error('unexpected GraphiQL page: cannot pass connectionParams');
  const rendered = `${html.slice(0, at)}stanzaGatewayRender(${html.slice(at + RENDER_CALL.length)}`;
  return `${rendered.slice(0, head)}<script>${CONNECTION_PARAMS}</script>${rendered.slice(head)}`;
}
