import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from '../support/ports.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * `npm start` as a user runs it: the start script's command in a separate process, configured
 * by the documented environment variables, driven with curl exactly as in the mod_rest README,
 * stopped with SIGTERM. (The command is read from package.json rather than run through npm, so
 * that the signal reaches the gateway itself and not npm.)
 */
const run = promisify(execFile);
const TOKEN = 'dmVyeSBzZWNyZXQgdG9rZW4K';
let prosody: XmppServer;
let alice: XmppUser;
let gateway: ChildProcess;
let output = '';
let url = '';

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
  const port = await freePort();
  url = `http://127.0.0.1:${port}/rest`;
  const [command, ...args] = (
    JSON.parse(await readFile('package.json', 'utf8')) as { scripts: { start: string } }
  ).scripts.start.split(' ');
  assert.equal(command, 'node');
  gateway = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      XMPP_SERVICE: prosody.componentService,
      XMPP_DOMAIN: prosody.componentDomain,
      XMPP_SECRET: prosody.componentSecret,
      API_TOKENS: TOKEN,
      HTTP_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  gateway.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  gateway.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const deadline = Date.now() + 20_000;
  while (!output.includes('XMPP component online')) {
    if (Date.now() > deadline || gateway.exitCode !== null) throw new Error(`gateway did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

after(async () => {
  if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
  await alice?.stop();
  await prosody?.dispose();
});

async function curl(data: string): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', [
    '-s',
    '-w',
    '\n%{http_code}',
    url,
    '--oauth2-bearer',
    TOKEN,
    '-H',
    'Content-Type: application/xmpp+xml',
    '--data-binary',
    data,
  ]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

it('logs one line when listening and one when online, as JSON, without secrets', () => {
  const lines = output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { msg: string });
  assert.deepEqual(
    lines.map((line) => line.msg),
    ['HTTP server listening', 'XMPP component online'],
  );
  assert.doesNotMatch(output, new RegExp(`${TOKEN}|${prosody.componentSecret}`));
});

it("the mod_rest README's first example (stray </body>) gets the documented 400", async () => {
  const response = await curl(`<message type="chat" to="alice@localhost">
            <body>Hello!</body>
          </body>`);
  assert.equal(response.status, 400);
  assert.match(response.body, /<not-well-formed /);
});

it('the corrected example delivers the message to the connected client', async () => {
  const response = await curl(`<message type="chat" to="alice@localhost">
            <body>Hello from curl!</body>
          </message>`);
  assert.equal(response.status, 202);
  const message = await alice.waitFor((stanza) => stanza.getChildText('body') === 'Hello from curl!');
  assert.equal(message.attrs.from, prosody.componentDomain);
});

it('an iq ping returns its reply', async () => {
  const response = await curl(`<iq type="get" to="localhost">
            <ping xmlns="urn:xmpp:ping"/>
          </iq>`);
  assert.equal(response.status, 200);
  assert.match(response.body, /^<iq [^>]*type='result'/);
});

it('SIGTERM stops it cleanly with exit code 0', async () => {
  const exited = new Promise<number | null>((resolve) => gateway.once('exit', (code) => resolve(code)));
  gateway.kill('SIGTERM');
  assert.equal(await exited, 0);
});
