import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { newDeliveryRecord } from '../../src/webhooks/delivery-record.ts';
import { type CallbackRequest, createCallbackClient } from '../../src/webhooks/callback-client.ts';
import { callbackRequest, contentLanguage } from '../../src/webhooks/callback-request.ts';
import { callbackUrl } from '../../src/webhooks/callback-url.ts';
import { stanzaFromLog } from '../../src/webhooks/stored-stanza.ts';

/** The callback client against a local node:http server that misbehaves on purpose. */
const servers: Server[] = [];
after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function serve(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res));
  });
  server.on('connection', () => (connections += 1));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, connections: () => connections };
}

const request = (headers: Record<string, string> = {}): CallbackRequest => ({
  body: '<message/>',
  headers,
  timeoutMs: 2000,
  signal: new AbortController().signal,
  maxBodyBytes: 1000,
  excerptBytes: 100,
});

describe('callback client', () => {
  it('a header value node refuses is a failed attempt, never a throw', async () => {
    const target = await serve((_req, res) => res.writeHead(202).end());
    const client = createCallbackClient(target.url, 2);
    try {
      const exchange = await client.post(request({ 'Content-Language': '日本' }));
      assert.equal(exchange.kind, 'connect');
      assert.match(
        exchange.kind === 'connect' ? exchange.text : '',
        /^the request could not be made: ERR_INVALID_CHAR/,
      );
      assert.equal(target.connections(), 0, 'nothing was sent');
    } finally {
      client.close();
    }
  });

  it('a kept-alive socket the receiver closes as it is reused: sent once more, on a new connection', async () => {
    // The receiver drops a connection on its second request, before answering: what a receiver
    // closing an idle keep-alive connection at that very moment looks like from here.
    const served = new WeakSet<Socket>();
    let requests = 0;
    const target = await serve((req, res) => {
      requests += 1;
      if (served.has(req.socket)) return void req.socket.destroy();
      served.add(req.socket);
      res.writeHead(202).end();
    });
    const client = createCallbackClient(target.url, 2);
    try {
      assert.equal((await client.post(request())).kind, 'response');
      await new Promise((resolve) => setImmediate(resolve));
      const exchange = await client.post(request());
      assert.equal(exchange.kind, 'response');
      assert.equal(exchange.kind === 'response' ? exchange.status : 0, 202);
      assert.deepEqual([requests, target.connections()], [3, 2]);
    } finally {
      client.close();
    }
  });

  it('a reset on a new connection is not tried again: the attempt failed', async () => {
    let requests = 0;
    const target = await serve((req) => {
      requests += 1;
      req.socket.destroy();
    });
    const client = createCallbackClient(target.url, 2);
    try {
      const exchange = await client.post(request());
      assert.equal(exchange.kind, 'connect');
      assert.match(exchange.kind === 'connect' ? exchange.text : '', /ECONNRESET/);
      assert.equal(requests, 1);
    } finally {
      client.close();
    }
  });
});

describe('the POST of an attempt', () => {
  const withLang = (lang: string) => {
    const stanza = stanzaFromLog(
      `<message id='m1' from='alice@localhost/phone' to='bot@rest.localhost'><body>hi</body></message>`,
      'rest.localhost',
    )!;
    return { ...newDeliveryRecord(stanza, null), lang };
  };
  const body = { body: '<message/>', contentType: 'application/xmpp+xml', path: undefined };
  const settings = {
    secrets: [],
    timeoutMs: 1000,
    signal: new AbortController().signal,
    maxReplyBytes: 1000,
    excerptBytes: 100,
  };

  it('carries Content-Language only for a language tag', () => {
    for (const tag of ['en', 'pt-BR', 'zh-Hant-TW', 'x-klingon', 'de-1996']) {
      assert.equal(callbackRequest(withLang(tag), body, settings).headers['Content-Language'], tag);
    }
    for (const odd of ['日本', 'en\nx', 'de\t', '', 'en_US', 'en-', '-en', 'toolongtag', 'en us', 'é']) {
      assert.equal(contentLanguage(odd), undefined, JSON.stringify(odd));
      assert.equal('Content-Language' in callbackRequest(withLang(odd), body, settings).headers, false);
    }
    assert.equal(contentLanguage(null), undefined);
  });
});

describe('a templated CALLBACK_URL', () => {
  it('sends the filled path as it is, never resolved (".." stays in the request line)', async () => {
    let seen = '';
    const { url } = await serve((req, res) => {
      seen = req.url ?? '';
      res.writeHead(204).end();
    });
    const template = callbackUrl(`${url}/{type}/in?to={to}`);
    const client = createCallbackClient(url, 1);
    const path = template.renderPath({ kind: 'message', type: '..', to: 'a@b', from: 'c' });
    const exchange = await client.post({ ...request(), path });
    client.close();
    assert.equal(exchange.kind, 'response');
    assert.equal(seen, '/hook/../in?to=a%40b');
  });
});
