import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type Element, parse } from 'ltx';
import { createLogger } from '../../src/log.ts';
import type { GatedConnection } from '../../src/xmpp/link.ts';
import { LinkGuard, PROBES } from '../../src/xmpp/link-guard.ts';
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

class FakeServer {
  readonly members: Member[] = [];
  /** Stanzas written by members. */
  written = 0;

  constructor() {
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
      const target = this.members[Math.floor(Math.random() * this.members.length)];
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
