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

  // Event listeners rather than for-await: leaving a for-await early destroys the request, and
  // with it the socket, before the 413 can be written (the client then sees a reset).
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        settle();
        req.pause();
        reject(new GatewayError('payload-too-large'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      settle();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      settle();
      reject(error);
    };
    const onClose = () => {
      settle();
      reject(new Error('the client closed the connection before sending its whole body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
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
