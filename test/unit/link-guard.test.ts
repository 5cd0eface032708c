import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type Element, parse } from 'ltx';
import { createLogger } from '../../src/log.ts';
import type { GatedConnection } from '../../src/xmpp/link.ts';
import { LinkGuard, PROBES } from '../../src/xmpp/link-guard.ts';
import { busyXml, classify } from '../../src/xmpp/link-probe.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * The guard against a fake server that does what ejabberd does with several connections for
 * one component domain: each stanza addressed to the domain goes to one of them at random.
 */
const DOMAIN = 'rest.example';

interface Member {
  guard: LinkGuard;
  state: 'checking' | 'online' | 'standby' | 'closed';
  reason: string;
  delivered: Element[];
  /** A connection that is not a gateway: swallows what it gets. */
  silent: boolean;
}

const servers: FakeServer[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) for (const member of [...server.members]) server.close(member);
});

/** Which member the server hands an element to. */
type Pick = (element: Element, members: Member[]) => Member | undefined;
const atRandom: Pick = (_, members) => members[Math.floor(Math.random() * members.length)];

class FakeServer {
  readonly members: Member[] = [];
  /** Stanzas written by members. */
  written = 0;

  constructor(private readonly pick: Pick = atRandom) {
    servers.push(this);
  }

  connect(options: { interval?: number; timeout?: number; silent?: boolean } = {}): Member {
    const guard = new LinkGuard(
      { domain: DOMAIN, checkIntervalMs: options.interval ?? 60_000, checkTimeoutMs: options.timeout ?? 1000 },
      createLogger('silent'),
    );
    const member: Member = { guard, state: 'checking', reason: '', delivered: [], silent: options.silent ?? false };
    guard.on('stanza', (stanza) => member.delivered.push(stanza));
    this.members.push(member);
    if (member.silent) return member;
    const connection: GatedConnection = {
      write: async (data) => {
        if (member.state === 'closed') throw new Error('closed');
        this.route(data);
      },
      online: () => {
        member.state = 'online';
      },
      standby: (reason) => {
        member.state = 'standby';
        member.reason = reason;
      },
    };
    guard.opened(connection);
    return member;
  }

  close(member: Member): void {
    member.state = 'closed';
    this.members.splice(this.members.indexOf(member), 1);
    member.guard.closed();
  }

  /** What a client sends to the domain, or what a member writes. */
  route(data: string): void {
    for (const element of parse(`<stream xmlns='jabber:component:accept'>${data}</stream>`).getChildElements()) {
      this.written += 1;
      const target = this.pick(element, this.members);
      if (!target) continue;
      setImmediate(() => {
        if (target.state !== 'closed' && !target.silent) target.guard.receive(element);
      });
    }
  }
}

const message = (id: string) =>
  `<message from='alice@example.net/x' to='bot@${DOMAIN}' id='${id}'><body>${id}</body></message>`;
const ids = (member: Member) => member.delivered.map((stanza) => stanza.attrs.id);

describe('LinkGuard', () => {
  it('alone: every probe comes back and the connection goes online', async () => {
    const server = new FakeServer();
    const only = server.connect();
    await waitUntil(() => only.state === 'online', 2000, 'online');
    assert.equal(server.written, PROBES);
    assert.deepEqual(only.delivered, [], 'probes are never delivered');
  });

  it('a second connection stays in standby; what reaches it is relayed and delivered once, by the serving one', async () => {
    const server = new FakeServer();
    const first = server.connect();
    await waitUntil(() => first.state === 'online', 2000, 'the first online');
    const second = server.connect();
    await waitUntil(() => second.state === 'standby', 2000, 'the second in standby');
    assert.match(second.reason, /another connection serves rest\.example \((answered busy|\d+ of 16 probes lost)\)/);
    assert.equal(first.state, 'online');

    const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
    for (const id of sent) server.route(message(id));
    await waitUntil(() => first.delivered.length === sent.length, 2000, 'every message at the serving one');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([...ids(first)].sort(), [...sent].sort());
    assert.deepEqual(second.delivered, []);
    assert.ok(second.guard.relayed > 0, 'the fake server sent some to the standby');
    // The relayed copy is the original stanza (jabber:client form), not the envelope.
    assert.equal(first.delivered.find((stanza) => stanza.attrs.id === 'm0')?.getChildText('body'), 'm0');
  });

  it('the standby takes over when the serving connection goes', async () => {
    const server = new FakeServer();
    const first = server.connect({ interval: 50 });
    await waitUntil(() => first.state === 'online', 2000, 'the first online');
    const second = server.connect({ interval: 50 });
    await waitUntil(() => second.state === 'standby', 2000, 'the second in standby');
    server.close(first);
    await waitUntil(() => second.state === 'online', 2000, 'the take-over');
    server.route(message('after'));
    await waitUntil(() => ids(second).includes('after'), 1000, 'delivered by the new serving one');
  });

  it('relays that keep coming back (the serving one vanished) start a check at once and are delivered', async () => {
    const server = new FakeServer();
    const first = server.connect();
    await waitUntil(() => first.state === 'online', 2000, 'the first online');
    // Check interval of a minute: only the relays coming back can make it notice.
    const second = server.connect();
    await waitUntil(() => second.state === 'standby', 2000, 'the second in standby');
    server.close(first);
    server.route(message('orphan'));
    await waitUntil(() => second.state === 'online', 2000, 'the take-over');
    await waitUntil(() => ids(second).includes('orphan'), 1000, 'the orphan delivered');
    assert.equal(ids(second).filter((id) => id === 'orphan').length, 1);
  });

  it('what reaches a connection while it checks is held, then delivered in order when it is alone', async () => {
    const server = new FakeServer();
    const only = server.connect();
    // Synchronously, before any probe came back.
    only.guard.receive(parse(message('early-1')));
    only.guard.receive(parse(message('early-2')));
    assert.deepEqual(only.delivered, [], 'held while checking');
    await waitUntil(() => only.state === 'online', 2000, 'online');
    assert.deepEqual(ids(only), ['early-1', 'early-2']);
  });

  it('what reaches a connection while it checks is relayed when another serves', async () => {
    const server = new FakeServer();
    const first = server.connect();
    await waitUntil(() => first.state === 'online', 2000, 'the first online');
    const second = server.connect();
    second.guard.receive(parse(message('held')));
    await waitUntil(() => second.state === 'standby', 2000, 'standby');
    await waitUntil(() => ids(first).includes('held'), 2000, 'relayed to the serving one');
    assert.deepEqual(second.delivered, []);
  });

  it('two starting at the same instant: exactly one serves', async () => {
    for (let round = 0; round < 20; round += 1) {
      const server = new FakeServer();
      const a = server.connect({ interval: 100 });
      const b = server.connect({ interval: 100 });
      await waitUntil(() => a.state !== 'checking' && b.state !== 'checking', 3000, 'both settled');
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.deepEqual([a.state, b.state].sort(), ['online', 'standby'], `round ${round}`);
      server.close(a);
      server.close(b);
    }
  });

  it("a busy answer the server hands back to the serving connection is sent on to the probe's sender", async () => {
    // ejabberd routes the answer to any connection of the domain. Here every answer first reaches
    // the serving one, and only what it sends on (hops 1 and more) reaches the newcomer, whose
    // check would otherwise wait out its whole timeout (a minute) for probes that never come back.
    const server = new FakeServer((element, members) => {
      const [serving, newcomer] = members;
      if (!serving || !newcomer) return atRandom(element, members);
      const kind = classify(element, DOMAIN);
      return kind.type === 'busy' && kind.hops > 0 ? newcomer : serving;
    });
    const first = server.connect();
    await waitUntil(() => first.state === 'online', 2000, 'the first online');
    const second = server.connect({ timeout: 60_000 });
    await waitUntil(() => second.state === 'standby', 2000, 'the second in standby');
    assert.match(second.reason, /answered busy/);
    assert.equal(first.state, 'online');
  });

  it('an answer to a probe of an earlier check does not count in a later one', async () => {
    // The guard alone with a hand-driven connection: what it writes is collected, what it
    // receives is chosen here.
    const probes: Element[] = [];
    let state = 'checking';
    const guard = new LinkGuard(
      { domain: DOMAIN, checkIntervalMs: 20, checkTimeoutMs: 60_000 },
      createLogger('silent'),
    );
    guard.opened({
      write: async (data) => {
        const written = parse(`<stream xmlns='jabber:component:accept'>${data}</stream>`).getChildElements();
        probes.push(...written.filter((element) => classify(element, DOMAIN).type === 'probe'));
      },
      online: () => (state = 'online'),
      standby: () => (state = 'standby'),
    });
    const serving = 'ffffffffffffffff';
    const firstCheck = probes.slice(0, PROBES);
    guard.receive(parse(busyXml(DOMAIN, firstCheck[0]!, serving)));
    assert.equal(state, 'standby');

    await waitUntil(() => probes.length === 2 * PROBES, 2000, 'the second check');
    // The serving one went; a late answer to the first check arrives during the second, whose
    // probes all come back.
    guard.receive(parse(busyXml(DOMAIN, firstCheck[1]!, serving)));
    for (const probe of probes.slice(PROBES)) guard.receive(probe);
    assert.equal(state, 'online', 'alone: the late answer was about an earlier check');
    guard.closed();
  });

  it("someone else's busy answer is sent on with fresh addresses, up to the hop limit", async () => {
    const written: Element[] = [];
    const guard = new LinkGuard(
      { domain: DOMAIN, checkIntervalMs: 60_000, checkTimeoutMs: 60_000 },
      createLogger('silent'),
    );
    let state = 'checking';
    guard.opened({
      write: async (data) => {
        written.push(...parse(`<stream xmlns='jabber:component:accept'>${data}</stream>`).getChildElements());
      },
      online: () => (state = 'online'),
      standby: () => (state = 'standby'),
    });
    for (const probe of written.splice(0)) guard.receive(probe);
    assert.equal(state, 'online');

    const answer = (hops: number) =>
      `<iq type='error' id='sg-probe-0123456789abcdef-1-0' from='probe-a@${DOMAIN}' to='probe-b@${DOMAIN}'>` +
      `<busy xmlns='urn:stanza-gateway:link:0' nonce='fedcba9876543210' hops='${hops}'/></iq>`;
    guard.receive(parse(answer(0)));
    assert.equal(written.length, 1);
    const sent = written[0]!;
    assert.deepEqual(classify(sent, DOMAIN), {
      type: 'busy',
      id: 'sg-probe-0123456789abcdef-1-0',
      nonce: 'fedcba9876543210',
      hops: 1,
    });
    assert.notEqual(sent.attrs.to, `probe-b@${DOMAIN}`, 'a fresh address: a new draw of the server');
    assert.equal(state, 'online', 'not an answer to its own probe');

    guard.receive(parse(answer(31)));
    assert.equal(written.length, 2);
    guard.receive(parse(answer(32)));
    assert.equal(written.length, 2, 'gone round in circles: dropped');
    guard.closed();
  });

  it('probes lost to a connection that does not answer them: standby, not online', async () => {
    const server = new FakeServer();
    server.connect({ silent: true });
    const gateway = server.connect({ timeout: 200 });
    await waitUntil(() => gateway.state === 'standby', 2000, 'standby');
    assert.match(gateway.reason, /probes lost/);
  });

  it('elements in the guard namespace from outside the domain are ordinary stanzas', async () => {
    const server = new FakeServer();
    const only = server.connect();
    await waitUntil(() => only.state === 'online', 2000, 'online');
    const forged = `<message from='mallory@example.net/x' to='bot@${DOMAIN}' id='forged'><relay xmlns='urn:stanza-gateway:link:0' hops='0'><message xmlns='jabber:client' from='boss@example.net' to='bot@${DOMAIN}' id='inner'/></relay></message>`;
    only.guard.receive(parse(forged));
    assert.deepEqual(ids(only), ['forged'], 'delivered as it is, never unwrapped');
    const probe = `<iq type='get' from='mallory@example.net/x' to='${DOMAIN}' id='p'><probe xmlns='urn:stanza-gateway:link:0' nonce='ffffffffffffffff' role='serving'/></iq>`;
    only.guard.receive(parse(probe));
    assert.equal(only.state, 'online', 'a forged probe cannot make it give way');
    assert.deepEqual(ids(only), ['forged', 'p']);
  });
});
