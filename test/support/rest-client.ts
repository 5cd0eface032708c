import { connect } from 'node:net';
import type { TestGateway } from './gateway.ts';

export interface RestResponse {
  status: number;
  headers: Headers;
  body: string;
}

export interface RestRequest {
  /** After /rest (e.g. `/echo`, `/version/localhost?x=1`). */
  path?: string;
  body?: string | Uint8Array;
  method?: string;
  token?: string | null;
  contentType?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A /rest request the way curl makes it (POST /rest by default), with the knobs each contract row needs. */
export async function rest(
  gateway: Pick<TestGateway, 'url' | 'token'>,
  request: RestRequest = {},
): Promise<RestResponse> {
  const headers: Record<string, string> = { ...request.headers };
  const token = request.token === undefined ? gateway.token : request.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const contentType = request.contentType === undefined ? 'application/xmpp+xml' : request.contentType;
  if (contentType !== null) headers['Content-Type'] = contentType;
  const response = await fetch(`${gateway.url}/rest${request.path ?? ''}`, {
    method: request.method ?? 'POST',
    headers,
    // yoga's fetch types pull in the DOM lib, whose BodyInit is narrower than what fetch takes.
    body: request.body as BodyInit | undefined,
    signal: request.signal,
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The XML error body of docs/rest.md for a condition and text. */
export function xmlError(condition: string, text: string): string {
  return (
    `<error xmlns='http://etherx.jabber.org/streams'><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>` +
    `<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>${text}</text></error>`
  );
}

/**
 * Sends a chunked POST /rest body chunk by chunk (as a slow client would) and stops as soon as
 * the gateway answers; reports the status line and how much had been sent by then.
 */
export async function streamUntilAnswered(
  gateway: TestGateway,
  chunkBytes: number,
  maxBytes: number,
): Promise<{ status: number; sentBytes: number }> {
  const { hostname, port } = new URL(gateway.url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    'POST /rest HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/xmpp+xml\r\n' +
      `Authorization: Bearer ${gateway.token}\r\nTransfer-Encoding: chunked\r\n\r\n`,
  );
  let answer = '';
  socket.on('data', (data: Buffer) => {
    answer += data.toString('latin1');
  });
  socket.on('error', () => {});
  const chunk = `${chunkBytes.toString(16)}\r\n${'x'.repeat(chunkBytes)}\r\n`;
  let sentBytes = 0;
  while (answer === '' && sentBytes < maxBytes && !socket.destroyed) {
    socket.write(chunk);
    sentBytes += chunkBytes;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const deadline = Date.now() + 5000;
  while (!/^HTTP\/1\.1 \d{3}/.test(answer) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  socket.destroy();
  return { status: Number(answer.slice(9, 12)), sentBytes };
}

/** Stanzas sent to the XMPP server so far: a refused request must not change it. */
export function sentCount(gateway: Pick<TestGateway, 'app'>): number {
  const { out } = gateway.app.core.status().counters;
  return out.message + out.presence + out.iq;
}

/**
 * Sends only the head of a POST /rest (its headers, never a byte of body) and resolves with
 * what the gateway answered within `waitMs` ('' for nothing): what a refusal "without reading
 * the body" looks like from the client's side.
 */
export async function answerToHead(
  gateway: TestGateway,
  headers: Record<string, string>,
  waitMs = 3000,
): Promise<string> {
  const { hostname, port } = new URL(gateway.url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const lines = Object.entries({
    Host: 'gateway',
    'Content-Type': 'application/xmpp+xml',
    Authorization: `Bearer ${gateway.token}`,
    ...headers,
  }).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.write(`POST /rest HTTP/1.1\r\n${lines.join('')}\r\n`);
  let answer = '';
  socket.on('data', (data: Buffer) => {
    answer += data.toString('latin1');
  });
  socket.on('error', () => {});
  const deadline = Date.now() + waitMs;
  while (!/\r\n\r\n/.test(answer) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  socket.destroy();
  return answer;
}
