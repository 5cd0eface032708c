import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-error.ts';

/**
 * Reads a request body up to `maxBytes`. A declared Content-Length over the limit is refused
 * before reading anything, and a body that grows past it is refused at that point: nothing past
 * the limit is ever held in memory. A client waiting on `Expect: 100-continue` is told to go on
 * only here, after the checks that need no body have passed.
 */
export async function readBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw new GatewayError('payload-too-large');
  if (req.headers.expect?.toLowerCase() === '100-continue') res.writeContinue();

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new GatewayError('payload-too-large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * After refusing a request whose body was not read, the connection cannot be reused: answer,
 * then discard what is still arriving for a short while (so the client reads the answer instead
 * of a reset), then close.
 */
export function abandonBody(req: IncomingMessage, res: ServerResponse): void {
  // Node detaches the socket from the request once the response is done: hold on to it now.
  // (It is already gone when the client closed the connection first.)
  const socket = req.socket as typeof req.socket | null;
  if (req.complete || !socket) return;
  res.setHeader('Connection', 'close');
  res.on('finish', () => {
    req.resume();
    const timer = setTimeout(() => socket.destroy(), 1000);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}
