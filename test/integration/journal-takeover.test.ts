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
 * The inbound journal after a gateway died (a crash, or a leader killed before a take-over), on
 * a real Postgres: it gave out numbers it never wrote, so the next one to start numbers after
 * every number reserved, never giving one out again; a bot's cursor from the dead one resumes
 * with what came after it.
 */
const DOMAIN = 'rest.localhost';
const log = createLogger('silent');
let database: TestDatabase;
const journals: InboundJournal[] = [];

before(async () => {
  database = await createTestDatabase();
});

after(async () => {
  for (const journal of journals) await journal.stop().catch(() => {});
  await database?.drop();
});

async function startJournal(): Promise<{ core: XmppCore; journal: InboundJournal }> {
  const config = loadConfig({ XMPP_DOMAIN: DOMAIN, XMPP_SECRET: 's', API_TOKENS: 'token-0123456789abcdef' });
  const core = new XmppCore(config.xmpp, log);
  const journal = new InboundJournal(
    core,
    { url: database.url, dataDir: '/nonexistent', retentionDays: 1, bufferMax: 1000 },
    log,
  );
  journals.push(journal);
  await journal.start();
  return { core, journal };
}

function arrive(core: XmppCore, id: string) {
  const stanza = decodeInbound(parse(`<message from='alice@localhost/a' to='bot@${DOMAIN}' id='${id}'/>`), DOMAIN)!;
  core.inbound.publish(stanza, (error) => assert.fail(String(error)));
  return stanza;
}

async function replayIds(journal: InboundJournal, afterSeq: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const entry of journal.replay(journal.position(encodeJournalCursor(afterSeq))).entries) {
    ids.push(entry.stanza.id);
  }
  return ids;
}

it('after a gateway died, the next numbers after all it may have given out; its cursors still resume', async () => {
  const dead = await startJournal();
  const written = ['a', 'b', 'c'].map((id) => dead.journal.seqOf(arrive(dead.core, id))!);
  await dead.journal.written();
  // Given to a live subscriber, maybe never written: the gateway dies (it is never stopped).
  const lastGiven = dead.journal.seqOf(arrive(dead.core, 'maybe-lost'))!;
  assert.equal(lastGiven, written.at(-1)! + 1);

  const next = await startJournal();
  const seq = next.journal.seqOf(arrive(next.core, 'd'))!;
  assert.ok(seq > lastGiven, `${seq}: after every number the dead one gave out`);
  // The bot that saw `maybe-lost` resumes from its cursor: it gets `d`, neither nothing nor an error.
  assert.deepEqual(await replayIds(next.journal, lastGiven), ['d']);
  // From the first cursor: what was written after it, then d.
  const fromFirst = await replayIds(next.journal, written[0]!);
  assert.deepEqual(
    fromFirst.filter((id) => id !== 'maybe-lost'),
    ['b', 'c', 'd'],
  );
  // Numbers keep their reservation a block ahead: a third start numbers past this one's too.
  const third = await startJournal();
  assert.ok(third.journal.seqOf(arrive(third.core, 'e'))! > seq);
});
