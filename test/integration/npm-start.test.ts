import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from '../support/ports.ts';
import { type Receiver, startReceiver } from '../support/receiver.ts';
import { startXmppServer, type XmppServer } from '../support/xmpp-server.ts';
import { connectUser, type XmppUser } from '../support/xmpp-user.ts';

/**
 * `npm start` as a user runs it: the prestart and start scripts' commands (the build in dist/,
 * then the built JavaScript, no tsx) in a separate process, configured by the documented
 * environment variables, with a webhook and the embedded database, driven with curl exactly as
 * in the mod_rest README, stopped with SIGTERM. (The commands are read from package.json rather
 * than run through npm, so that the signal reaches the gateway itself and not npm.)
 */
const run = promisify(execFile);
const TOKEN = 'dmVyeSBzZWNyZXQgdG9rZW4K';
let prosody: XmppServer;
let alice: XmppUser;
let gateway: ChildProcess;
let output = '';
let url = '';
let receiver: Receiver;
let dataDir: string;
let command: string | undefined;
let args: string[] = [];

before(async () => {
  prosody = await startXmppServer({ users: { alice: 'alice-pw' } });
  alice = await connectUser(prosody, 'alice', 'alice-pw', 'phone');
  receiver = await startReceiver();
  dataDir = await mkdtemp(join(tmpdir(), 'stanza-gateway-npm-start-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}/rest`;
  const { scripts } = JSON.parse(await readFile('package.json', 'utf8')) as {
    scripts: { prestart: string; start: string };
  };
  const [prestart, ...prestartArgs] = scripts.prestart.split(' ');
  assert.equal(prestart, 'node');
  await run(process.execPath, prestartArgs, { timeout: 300_000 });
  [command, ...args] = scripts.start.split(' ');
  assert.equal(command, 'node');
  assert.match(args.join(' '), /^dist\/.*\.js$/, 'npm start runs the build, not the TypeScript');
  gateway = spawn(process.execPath, args, { env: env(port), stdio: ['ignore', 'pipe', 'pipe'] });
  gateway.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  gateway.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  // The embedded database's first start (initdb in wasm) takes seconds, more on a loaded machine.
  const deadline = Date.now() + 90_000;
  while (!output.includes('XMPP component online')) {
    if (Date.now() > deadline || gateway.exitCode !== null) {
      throw new Error(`gateway did not start (exit code ${gateway.exitCode}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

function env(port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    XMPP_SERVICE: prosody.componentService,
    XMPP_DOMAIN: prosody.componentDomain,
    XMPP_SECRET: prosody.componentSecret,
    API_TOKENS: TOKEN,
    HTTP_PORT: String(port),
    CALLBACK_URL: receiver.url,
    DATA_DIR: dataDir,
  };
}

after(async () => {
  if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
  await receiver?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
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

it('logs one line when listening and one when online (after one per migration), as JSON, without secrets', () => {
  const migrations = readdirSync('prisma/migrations', { withFileTypes: true }).filter((entry) => entry.isDirectory());
  assert.ok(migrations.length > 0);
  const lines = output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { msg: string });
  assert.deepEqual(
    lines.map((line) => line.msg),
    [...migrations.map(() => 'applied a database migration'), 'HTTP server listening', 'XMPP component online'],
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

it('the built output serves the browser pages with their own scripts (GraphiQL, the console)', async () => {
  const base = url.replace(/\/rest$/, '');
  const page = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
  assert.equal(page.status, 200);
  const html = await page.text();
  const boot = /<script src="([^"]+\/page\.js)"><\/script>/.exec(html)?.[1];
  assert.ok(boot, 'the GraphiQL page names its own script');
  const script = await fetch(new URL(boot, base));
  assert.equal(script.status, 200);
  // The browser script itself, not a compiled server module of a similar name.
  assert.doesNotMatch(await script.text(), /^import |from "\.\//m);
  const consolePage = await fetch(`${base}/console/`);
  assert.equal(consolePage.status, 200);
});

it('an iq ping returns its reply', async () => {
  const response = await curl(`<iq type="get" to="localhost">
            <ping xmlns="urn:xmpp:ping"/>
          </iq>`);
  assert.equal(response.status, 200);
  assert.match(response.body, /^<iq [^>]*type='result'/);
});

it('delivers an inbound message to the webhook, logged in the embedded database', async () => {
  await alice.sendXml(
    `<message to='${prosody.componentDomain}' id='built-1' type='chat'><body>to the webhook</body></message>`,
  );
  const request = await receiver.waitFor((r) => r.body.includes('to the webhook'));
  assert.match(request.body, /id='built-1'/);
});

it('a second gateway on the same DATA_DIR refuses to start, naming the first, which keeps working', async () => {
  const second = await run(process.execPath, args, { env: env(await freePort()), timeout: 60_000 }).then(
    () => assert.fail('the second gateway started'),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  assert.equal(second.code, 1);
  const output = second.stdout + second.stderr;
  assert.match(output, new RegExp(`DATA_DIR ${dataDir} is in use by process ${gateway.pid} on `));
  assert.doesNotMatch(output, new RegExp(`${TOKEN}|${prosody.componentSecret}`));
  await alice.sendXml(
    `<message to='${prosody.componentDomain}' id='built-2' type='chat'><body>still here</body></message>`,
  );
  await receiver.waitFor((r) => r.body.includes('still here'));
});

it('SIGTERM stops it cleanly with exit code 0', async () => {
  const exited = new Promise<number | null>((resolve) => gateway.once('exit', (code) => resolve(code)));
  gateway.kill('SIGTERM');
  assert.equal(await exited, 0);
});
