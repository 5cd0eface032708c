import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAddressPattern, type AddressPattern } from '../../src/auth/address-pattern.ts';
import { BearerAuth } from '../../src/auth/bearer-auth.ts';
import { TokenBucket } from '../../src/auth/token-bucket.ts';
import { readTokenDefinitions, type TokenDefinition } from '../../src/auth/token-definitions.ts';
import { parseCommandLine } from '../../src/cli.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { isGatewayError } from '../../src/errors/gateway-error.ts';
import { endWhenRevoked } from '../../src/schema/scope-guard.ts';
import { decodeInbound, parseXmlElement, type Stanza } from '../../src/xmpp/codec/index.ts';
import { parseJid } from '../../src/xmpp/jid.ts';

const DOMAIN = 'rest.example.net';
const BOT1 = 'bot1-token-0123456789';
const BOT2 = 'bot2-token-0123456789';
const ADMIN = 'admin-token-0123456789';

function pattern(text: string): AddressPattern {
  const parsed = parseAddressPattern(text);
  assert.equal(typeof parsed, 'object', typeof parsed === 'string' ? parsed : text);
  return parsed as AddressPattern;
}

function matches(text: string, address: string): boolean {
  return pattern(text).matches(parseJid(address)!);
}

function definitions(value: unknown): TokenDefinition[] {
  const { definitions: read, problems } = readTokenDefinitions(value);
  assert.deepEqual(problems, []);
  return read;
}

function problemsOf(value: unknown): string[] {
  return readTokenDefinitions(value).problems;
}

function stanza(xml: string): Stanza {
  const decoded = decodeInbound(parseXmlElement(xml, { maxBytes: 10_000 }), DOMAIN);
  assert.ok(decoded);
  return decoded;
}

function kindOf(work: () => unknown): string | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    if (isGatewayError(error)) return error.kind;
    throw error;
  }
}

describe('address patterns', () => {
  it('match what the README says each form matches, and nothing else', () => {
    const cases: [string, string, boolean][] = [
      [`bot1@${DOMAIN}`, `bot1@${DOMAIN}`, true],
      [`bot1@${DOMAIN}`, `bot1@${DOMAIN}/home`, false],
      [`bot1@${DOMAIN}`, `bot2@${DOMAIN}`, false],
      [`bot1@${DOMAIN}`, DOMAIN, false],
      [`bot1@${DOMAIN}/*`, `bot1@${DOMAIN}`, true],
      [`bot1@${DOMAIN}/*`, `bot1@${DOMAIN}/any`, true],
      [`bot1@${DOMAIN}/*`, `bot10@${DOMAIN}/any`, false],
      [`bot1@${DOMAIN}/home`, `bot1@${DOMAIN}/home`, true],
      [`bot1@${DOMAIN}/home`, `bot1@${DOMAIN}/work`, false],
      [`bot1@${DOMAIN}/home`, `bot1@${DOMAIN}`, false],
      [`*@${DOMAIN}`, `anyone@${DOMAIN}`, true],
      [`*@${DOMAIN}`, `anyone@${DOMAIN}/r`, false],
      [`*@${DOMAIN}`, DOMAIN, false],
      [`*@${DOMAIN}/*`, `anyone@${DOMAIN}/r`, true],
      [DOMAIN, DOMAIN, true],
      [DOMAIN, `${DOMAIN}/r`, false],
      [DOMAIN, `bot1@${DOMAIN}`, false],
      [`${DOMAIN}/*`, `${DOMAIN}/r`, true],
      [`${DOMAIN}/*`, `bot1@${DOMAIN}/r`, false],
      // Another domain never matches, whatever the local part.
      [`bot1@${DOMAIN}`, 'bot1@example.org', false],
      [`*@${DOMAIN}/*`, 'bot1@sub.rest.example.net', false],
      // Normalised as JIDs: case folds.
      [`Bot1@Rest.Example.NET`, `bot1@${DOMAIN}`, true],
    ];
    for (const [text, address, expected] of cases) {
      assert.equal(matches(text, address), expected, `${text} ~ ${address}`);
    }
  });

  it('refuses what is no pattern, with a sentence', () => {
    for (const text of ['', 'bot*@x.net', '*.x.net', 'a@b@c', 'bot1@x.net/a/*x', `bot1@${DOMAIN}/**`, '@x.net']) {
      const parsed = parseAddressPattern(text);
      assert.equal(typeof parsed, 'string', text);
      assert.match(parsed as string, /is not an address pattern/);
    }
  });
});

describe('token bucket', () => {
  it('lets a burst through, then one per 1/perSecond, and says how long to wait', () => {
    const bucket = new TokenBucket({ perSecond: 2, burst: 3 }, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0)], [0, 0, 0]);
    assert.equal(bucket.take(0), 500);
    assert.equal(bucket.take(250), 250);
    assert.equal(bucket.take(500), 0);
    assert.equal(bucket.take(500), 500);
    // Refilled to the burst at most, never beyond.
    assert.equal(bucket.level(60_000), 3);
  });

  it('carries what was used over to a new rate, capped at its burst', () => {
    assert.equal(new TokenBucket({ perSecond: 1, burst: 2 }, 0, 10).level(0), 2);
    assert.equal(new TokenBucket({ perSecond: 1, burst: 5 }, 0, 0).take(0), 1000);
  });
});

describe('token definitions', () => {
  const bot1 = { name: 'bot1', token: BOT1, from: [`bot1@${DOMAIN}/*`], can: ['send', 'subscribe'] };

  it('reads a token or its hash, the see default (its from) and the rate', () => {
    const hash = `sha256:${createHash('sha256').update(BOT2).digest('hex')}`;
    const [one, two] = definitions([
      bot1,
      { name: 'bot2', hash, from: `bot2@${DOMAIN}`, see: 'all', can: ['iq'], rate: { perSecond: 0.5 } },
    ]);
    assert.equal(one!.see, one!.from);
    assert.equal(one!.rate, undefined);
    assert.equal(two!.see, 'all');
    assert.deepEqual(two!.rate, { perSecond: 0.5, burst: 1 });
    assert.deepEqual(two!.digest, createHash('sha256').update(BOT2).digest());
  });

  it('names every problem, with the token it concerns, and never the secret', () => {
    const problems = problemsOf([
      { ...bot1, can: ['send', 'sned'] },
      { ...bot1, token: BOT2 },
      { name: 'bot3', token: 'short', hash: 'sha256:00', from: ['a@*'], can: ['iq'] },
      { name: 'bot4', hash: 'md5:abc', from: [], can: ['send'], rate: { perSecond: 0 } },
      { name: 'bot5', from: [], can: [], colour: 'red' },
      { name: 'api-token-1', token: ADMIN, from: [], can: [] },
      { name: 'bad name!', token: 'x'.repeat(20), from: [], can: [] },
      { name: 'bot6', token: BOT1, from: [], can: [] },
      'bot7',
      { name: 'web', token: 'w'.repeat(20), from: [`web@${DOMAIN}`], can: ['deliveries', 'redeliver', 'status'] },
      { name: 'ops', token: 'o'.repeat(20), from: [], see: 'all', can: ['deliveries', 'redeliver'] },
    ]);
    assert.deepEqual(problems, [
      'token "bot1": can: "sned" is not an operation (send, iq, subscribe, deliveries, redeliver, status)',
      'token "bot1": the name is taken by another token',
      'token "bot3": has both token and hash: give one',
      'token "bot3": from: "a@*" is not an address pattern: * may only stand for a whole local part (*@domain) or resource (/*)',
      'token "bot4": its hash must be sha256: followed by 64 hex digits (printf %s "$TOKEN" | sha256sum)',
      'token "bot4": its rate must be { perSecond, burst }: perSecond above 0 and at most 1000000, burst a whole number from 1 (default: perSecond, rounded up)',
      'token "bot4": can send or iq, but its from list is empty: it could send as nobody',
      'token "bot5": "colour" is not a key of a token (name, token, hash, from, see, can, rate)',
      'token "bot5": needs a token or a hash',
      'token "api-token-1": its name looks like those API_TOKENS entries get (api-token-N): choose another',
      'token "bad name!": needs a name of letters, digits, ".", "_" or "-" (at most 64)',
      'token "bot6": the same secret as another token',
      'token 9: must be a mapping (name, token or hash, from, see, can, rate)',
      'token "web": can deliveries and redeliver, but its see is not all: the delivery log is shown whole',
    ]);
    assert.doesNotMatch(problems.join('\n'), new RegExp(`${BOT1}|${BOT2}|${ADMIN}`));
  });

  it('as a setting: JSON in the environment, patterns at XMPP_DOMAIN, no API_TOKENS secret twice', () => {
    const base = { XMPP_DOMAIN: DOMAIN, XMPP_SECRET: 's' };
    const config = loadConfig({ ...base, API_SCOPED_TOKENS: JSON.stringify([bot1]) });
    assert.equal(config.auth.tokens, undefined);
    assert.equal(config.auth.scopedTokens[0]?.name, 'bot1');
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, ...env });
        return [];
      } catch (error) {
        assert.ok(error instanceof ConfigError);
        assert.doesNotMatch(error.message, new RegExp(`${BOT1}|${ADMIN}`));
        return error.problems.map((problem) => `${problem.setting}: ${problem.message}`);
      }
    };
    assert.deepEqual(problems({}), ['API_TOKENS: is required but not set']);
    assert.deepEqual(problems({ API_SCOPED_TOKENS: '{"name": "x"' }), [
      'API_SCOPED_TOKENS: must be a list of token definitions: JSON in the environment, a list in a config file',
    ]);
    assert.deepEqual(problems({ API_SCOPED_TOKENS: JSON.stringify([{ ...bot1, from: ['bot1@example.org'] }]) }), [
      `API_SCOPED_TOKENS: has address patterns outside XMPP_DOMAIN (${DOMAIN}): token "bot1": from bot1@example.org, token "bot1": see bot1@example.org`,
    ]);
    assert.deepEqual(problems({ API_TOKENS: BOT1, API_SCOPED_TOKENS: JSON.stringify([bot1]) }), [
      'API_SCOPED_TOKENS: token "bot1" has the same secret as an API_TOKENS entry',
    ]);
  });
});

describe('the README’s example config file', () => {
  it('reads, with its three bots and a web app, each scoped', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Scoped tokens'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(yaml, 'no YAML block in the README’s "Scoped tokens"');
    const dir = mkdtempSync(join(tmpdir(), 'readme-scopes-'));
    try {
      const file = join(dir, 'gateway.yaml');
      writeFileSync(file, yaml);
      const cli = parseCommandLine(['--config', file], {});
      assert.equal(cli.kind, 'run');
      const tokens = cli.kind === 'run' ? cli.config.auth.scopedTokens : [];
      assert.deepEqual(
        tokens.map((token) => token.name),
        ['weather-bot', 'news-bot', 'support-bot', 'web-app'],
      );
      // Each scoped: none may send as every address, only the web app reads the log.
      for (const token of tokens) assert.notEqual(token.from, 'all');
      assert.deepEqual(
        tokens.filter((token) => token.can.has('deliveries')).map((token) => token.name),
        ['web-app'],
      );
      const auth = new BearerAuth([], tokens);
      assert.equal(auth.identify('weather-bot-token-change-me-0123456789')?.name, 'weather-bot');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scopes (BearerAuth, Caller)', () => {
  const scoped = () =>
    definitions([
      {
        name: 'bot1',
        token: BOT1,
        from: [`bot1@${DOMAIN}/*`],
        can: ['send', 'subscribe'],
        rate: { perSecond: 1, burst: 2 },
      },
      { name: 'bot2', token: BOT2, from: [`bot2@${DOMAIN}`], see: [`*@${DOMAIN}`], can: ['iq'] },
    ]);
  const message = (from: string) => stanza(`<message from='${from}' to='alice@example.net'><body>x</body></message>`);
  const to = (address: string) => stanza(`<message from='alice@example.net' to='${address}'><body>x</body></message>`);

  it('names API_TOKENS entries api-token-N with every right, and scoped ones by name', () => {
    const auth = new BearerAuth([ADMIN], scoped());
    assert.deepEqual(auth.names, ['api-token-1', 'bot1', 'bot2']);
    const admin = auth.check(`Bearer ${ADMIN}`);
    assert.equal(admin.name, 'api-token-1');
    assert.equal(
      kindOf(() => admin.authorizeSend(message(`anyone@${DOMAIN}/x`))),
      undefined,
    );
    assert.equal(admin.maySee(to(`bot2@${DOMAIN}`)), true);
    assert.equal(auth.check(`Bearer ${BOT1}`).name, 'bot1');
  });

  it('checks the operation, then from, then the rate; sees only its own', () => {
    const auth = new BearerAuth([], scoped());
    const bot1 = auth.check(`Bearer ${BOT1}`);
    const decisions: string[] = [];
    auth.onDecision((name, operation, outcome) => decisions.push(`${name} ${operation} ${outcome}`));
    assert.equal(
      kindOf(() => bot1.authorizeSend(message(`bot2@${DOMAIN}`))),
      'from-not-authorized',
    );
    assert.equal(
      kindOf(() =>
        bot1.authorizeSend(
          stanza(`<iq type='get' from='bot1@${DOMAIN}' to='x.net' id='1'><ping xmlns='urn:xmpp:ping'/></iq>`),
        ),
      ),
      'operation-not-allowed',
    );
    assert.equal(
      kindOf(() => bot1.authorizeSend(message(`bot1@${DOMAIN}/a`))),
      undefined,
    );
    assert.equal(
      kindOf(() => bot1.authorizeSend(message(`bot1@${DOMAIN}`))),
      undefined,
    );
    assert.equal(
      kindOf(() => bot1.authorizeSend(message(`bot1@${DOMAIN}`))),
      'rate-limited',
    );
    assert.equal(
      kindOf(() => bot1.require('deliveries')),
      'operation-not-allowed',
    );
    assert.deepEqual(decisions, [
      'bot1 send forbidden',
      'bot1 iq forbidden',
      'bot1 send allowed',
      'bot1 send allowed',
      'bot1 send rate-limited',
      'bot1 deliveries forbidden',
    ]);
    assert.equal(bot1.maySee(to(`bot1@${DOMAIN}/r`)), true);
    assert.equal(bot1.maySee(to(`bot2@${DOMAIN}`)), false);
    // bot2 sees by its own patterns, but has no `subscribe`.
    assert.equal(auth.check(`Bearer ${BOT2}`).maySee(to(`bot2@${DOMAIN}`)), false);
  });

  it('a reload narrows at once, ends what was lost, and drops a removed or re-keyed token', () => {
    const auth = new BearerAuth([], scoped());
    const bot1 = auth.check(`Bearer ${BOT1}`);
    const bot2 = auth.check(`Bearer ${BOT2}`);
    const ended: string[] = [];
    bot1.watch('subscribe', (error) => ended.push(`bot1 ${error.kind}`));
    bot2.watch('iq', (error) => ended.push(`bot2 ${error.kind}`));
    const narrowed = definitions([
      { name: 'bot1', token: BOT1, from: [`bot1@${DOMAIN}`], see: [`bot1@${DOMAIN}`], can: ['send'] },
      { name: 'bot2', token: 'bot2-new-token-0123456789', from: [`bot2@${DOMAIN}`], can: ['iq'] },
    ]);
    assert.deepEqual(auth.reload(narrowed), { ended: 2 });
    assert.deepEqual(ended, ['bot1 scope-revoked', 'bot2 scope-revoked']);
    assert.equal(bot1.maySee(to(`bot1@${DOMAIN}`)), false);
    assert.equal(
      kindOf(() => bot1.authorizeSend(message(`bot1@${DOMAIN}/a`))),
      'from-not-authorized',
    );
    assert.equal(
      kindOf(() => bot2.require('iq')),
      'bad-credentials',
    );
    assert.equal(auth.identify(BOT2), undefined);
    // Nothing is lost twice.
    assert.deepEqual(auth.reload([]), { ended: 0 });
  });
});

describe('the delivery log’s subscription and a reload', () => {
  it('ends with SCOPE_REVOKED once the token loses deliveries, and closes its source', async () => {
    const reader = { name: 'reader', token: BOT1, from: [`reader@${DOMAIN}`], see: 'all', can: ['deliveries'] };
    const auth = new BearerAuth([], definitions([reader]));
    const caller = auth.check(`Bearer ${BOT1}`);
    let closed = false;
    const source: AsyncIterableIterator<number> = {
      next: () => new Promise<IteratorResult<number>>(() => undefined),
      return: () => {
        closed = true;
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return source;
      },
    };
    const stream = endWhenRevoked(source, caller, 'deliveries');
    const pending = stream.next();
    // A reload that keeps the right changes nothing.
    assert.deepEqual(auth.reload(definitions([{ ...reader, can: ['deliveries', 'status'] }])), { ended: 0 });
    assert.deepEqual(auth.reload(definitions([{ ...reader, can: ['status'] }])), { ended: 1 });
    await assert.rejects(pending, (error: { extensions?: { code?: string } }) => {
      assert.equal(error.extensions?.code, 'SCOPE_REVOKED');
      return true;
    });
    assert.equal(closed, true);
  });
});
