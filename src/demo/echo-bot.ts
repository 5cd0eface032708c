import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeText, parseXmlElement } from '../xmpp/codec/index.ts';

/**
 * The demo's webhook: a bot at any address of the component domain that answers every chat
 * message with an echo, through the HTTP reply (mod_rest's callback rules). Messages from the
 * component's own domain are not echoed: the echo would come back to the bot, forever.
 */
export interface EchoBot {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;

export async function startEchoBot(domain: string): Promise<EchoBot> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const reply = size <= MAX_BODY ? echoOf(Buffer.concat(chunks), domain) : undefined;
      if (reply === undefined) {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/xmpp+xml' }).end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function echoOf(body: Buffer, domain: string): string | undefined {
  try {
    const stanza = parseXmlElement(body, { maxBytes: MAX_BODY });
    const text = stanza.getChildText('body');
    const from = stanza.attrs.from ?? '';
    if (stanza.name !== 'message' || text === null || stanza.attrs.type === 'error') return undefined;
    if (from.split('/')[0]!.split('@').pop() === domain) return undefined;
    // The gateway forces to/from on the reply: only the content is ours to say.
    return `<message type='chat'><body>${escapeText(`echo: ${text}`)}</body></message>`;
  } catch {
    return undefined;
  }
}
