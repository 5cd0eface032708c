import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, partOf, sourceFiles } from '../../scripts/layers.ts';

const files = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('layers check (scripts/layers.ts)', () => {
  it('the tree as it is has no forbidden import', () => {
    assert.deepEqual(check(sourceFiles()), []);
  });

  it('catches each kind of forbidden import: a face reaching into another, db into xmpp', () => {
    const violations = check(
      files({
        'src/webhooks/delivery-events.ts': "import { EventQueue } from '../subscribers/inbound-subscriptions.ts';",
        'src/schema/delivery.ts': "import type { Stanza } from '../webhooks/stored-stanza.ts';",
        'src/schema/deliveries.ts': "export { MAX_PAGE } from '../db/delivery-store.ts';",
        'src/db/delivery-store.ts': "const { parseJid } = await import('../xmpp/jid.ts');",
        'src/rest/router.ts': "import '../graphql/yoga.ts';",
        'src/xmpp/core.ts': "import type { Webhooks } from '../webhooks/index.ts';",
      }),
    );
    assert.deepEqual(
      violations.map((v) => v.reason),
      [
        'webhooks may not import subscribers',
        'webhooks is imported only through webhooks/delivery-log.ts, webhooks/index.ts',
        'schema may not import db',
        'db may not import xmpp',
        'rest may not import graphql',
        'xmpp may not import webhooks',
      ],
    );
  });

  it('lets the allowed arrows through, and the app import anything', () => {
    const violations = check(
      files({
        'src/schema/deliveries.ts': "import { MAX_PAGE } from '../webhooks/delivery-log.ts';",
        'src/webhooks/delivery-events.ts': "import { EventQueue } from '../flow/event-queue.ts';",
        'src/db/log-availability.ts': "import { backoffDelay } from '../flow/backoff.ts';",
        'src/server.ts': "import { createWebhooks } from './webhooks/dispatcher.ts';",
        'src/rest/router.ts': "import { parseStanza } from '../xmpp/codec/index.ts'; import x from 'node:fs';",
      }),
    );
    assert.deepEqual(violations, []);
  });

  it('knows every part of src/ (a new folder needs its arrows)', () => {
    assert.equal(partOf('src/newfolder/thing.ts'), 'newfolder');
    assert.deepEqual(
      check(files({ 'src/newfolder/thing.ts': "import '../log.ts';" })).map((v) => v.reason),
      ['newfolder is not a known part: add it to ALLOWED in scripts/layers.ts'],
    );
  });
});
