import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { parse } from 'ltx';
import { loadConfig } from '../../src/config.ts';
import { encodeJournalCursor } from '../../src/db/journal-cursor.ts';
import { InboundJournal } from '../../src/journal/inbound-journal.ts';
import { createLogger } from '../../src/log.ts';
import { decodeInbound } from '../../src/xmpp/codec/index.ts';
import { XmppCore } from '../../src/xmpp/core.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

/**
 * The inbound journal across a take-over (HA_ELECTION), on a real Postgres: a leader that died
 * gave out numbers it never wrote, so the next one starts past a gap (`skipAhead`) instead of
 * giving them out again; a bot's cursor from the dead leader resumes with what came after.
 */
const DOMAIN = 'rest.localhost';
const log = createLogger('silent');
let database: TestDatabase;

before(async () => {
  database = await createTestDatabase();
});

after(async () => {
  await database?.drop();
});

function journalOn(skipAhead: number): { core: XmppCore; journal: InboundJournal } {
  const config = loadConfig({ XMPP_DOMAIN: DOMAIN, XMPP_SECRET: 's', API_TOKENS: 'token-0123456789abcdef' });
  const core = new XmppCore(config.xmpp, log);
  const journal = new InboundJournal(
    core,
    { url: database.url, dataDir: '/nonexistent', retentionDays: 1, bufferMax: 1000, skipAhead },
    log,
  );
  return { core, journal };
}

function arrive(core: XmppCore, id: string) {
  const stanza = decodeInbound(parse(`<message from='alice@localhost/a' to='bot@${DOMAIN}' id='${id}'/>`), DOMAIN)!;
  core.inbound.publish(stanza, (error) => assert.fail(String(error)));
  return stanza;
}

it('a successor numbers past the gap; a cursor the dead leader gave resumes with what came after', async () => {
  const first = journalOn(1000);
  await first.journal.start();
  const written = ['a', 'b', 'c'].map((id) => first.journal.seqOf(arrive(first.core, id))!);
  await first.journal.written();
  // Given to a live subscriber, never written: the leader dies with it in its buffer.
  const unwritten = written.at(-1)! + 1;
  assert.equal(first.journal.seqOf(arrive(first.core, 'lost')), unwritten);
  const firstSeq = written[0]!;

  const successor = journalOn(1000);
  await successor.journal.start();
  const next = successor.journal.seqOf(arrive(successor.core, 'd'))!;
  assert.equal(next, written.at(-1)! + 1 + 1000, 'past the gap: the dead leader’s numbers are not given again');
  // The bot that saw `lost` resumes from its cursor: it gets `d`, not nothing (nor an error).
  const position = successor.journal.position(encodeJournalCursor(unwritten));
  const replay = successor.journal.replay(position);
  const resumed: string[] = [];
  for await (const entry of replay.entries) resumed.push(entry.stanza.id);
  assert.deepEqual(resumed, ['d']);
  // From the first cursor: the two written after it, then d.
  const fromStart = successor.journal.replay(successor.journal.position(encodeJournalCursor(firstSeq)));
  const ids: string[] = [];
  for await (const entry of fromStart.entries) ids.push(entry.stanza.id);
  assert.deepEqual(ids, ['b', 'c', 'd']);
  await successor.journal.stop();
  await first.journal.stop().catch(() => {});
});
