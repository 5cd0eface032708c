// The subscriber swarm's own process (see subscriber-swarm.ts): opens the sockets and the
// subscriptions, then counts what arrives, answering the parent's questions over IPC.
import WebSocket from 'ws';
import type { SwarmOptions } from './subscriber-swarm.ts';

let events = 0;
let errors = 0;
let closed = 0;
const sockets: WebSocket[] = [];
const NEXT = Buffer.from('"type":"next"');
const ERROR = Buffer.from('"type":"error"');

async function open(options: SwarmOptions): Promise<void> {
  const socket = new WebSocket(`${options.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${options.token}` } })),
    );
    socket.once('message', () => resolve());
    socket.once('close', (code, reason) =>
      reject(new Error(`closed before connection_ack: ${code} ${reason.toString()}`)),
    );
    socket.once('error', reject);
  });
  socket.on('message', (data: Buffer) => {
    if (data.includes(NEXT)) events += 1;
    else if (data.includes(ERROR)) errors += 1;
  });
  socket.on('close', () => (closed += 1));
  for (let id = 0; id < options.perSocket; id += 1) {
    socket.send(JSON.stringify({ id: String(id), type: 'subscribe', payload: { query: options.query } }));
  }
}

process.on('message', (message: { type: 'start'; options: SwarmOptions } | { type: 'count' }) => {
  if (message.type === 'count') {
    process.send!({ events, errors, closed });
    return;
  }
  const { options } = message;
  // One socket after the other: a gateway under load must not see them all time out together.
  void (async () => {
    for (let i = 0; i < options.sockets; i += 1) await open(options);
  })().then(
    () => process.send!({ ok: true }),
    (error: unknown) => {
      process.stderr.write(`subscriber swarm: ${String(error)}\n`);
      process.exit(1);
    },
  );
});

process.on('SIGTERM', () => {
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
