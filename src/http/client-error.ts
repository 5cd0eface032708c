import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What a connection gets when Node's HTTP parser gives up on it: a timeout while headers or
 * body were still arriving (408, RFC 9110 §15.5.9), headers too large (431), anything else
 * malformed (400). The socket is then destroyed, not only ended: an ended socket waits for the
 * client's own FIN and keeps its descriptor as long as a client that never closes wants. The
 * short delay lets the answer reach a client still sending (closing at once with unread input
 * resets the connection, and the client may lose the answer).
 */
const LINGER_MS = 1000;

const statuses: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Content Too Large'],
};

const errors: Record<number, string> = {
  400: 'malformed request',
  408: 'request timeout: headers or body did not arrive in time',
  413: 'chunk extensions too large',
  431: 'request headers too large',
};

export function answerClientError(error: NodeJS.ErrnoException, socket: Socket, response?: ServerResponse): void {
  // A reset connection cannot be answered; a response already started cannot be replaced.
  if (error.code !== 'ECONNRESET' && socket.writable && !response?.headersSent) {
    const [status, reason] = statuses[error.code ?? ''] ?? [400, 'Bad Request'];
    const body = JSON.stringify({ error: errors[status] });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    return;
  }
  socket.destroy();
}
