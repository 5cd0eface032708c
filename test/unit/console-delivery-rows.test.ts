import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeliverySummaryFragment } from '../../console/generated/graphql.ts';
import { applyEvent, type Row } from '../../console/src/views/delivery-rows.ts';

/** How the console's deliveries list folds live events into the rows it shows. */
function delivery(
  id: string,
  createdAt: string,
  patch: Partial<DeliverySummaryFragment> = {},
): DeliverySummaryFragment {
  return {
    id,
    createdAt,
    kind: 'MESSAGE',
    type: 'chat',
    from: 'alice@localhost/phone',
    to: 'bot@rest.localhost',
    status: 'PENDING',
    outcome: null,
    attemptCount: 0,
    nextAttemptAt: null,
    finishedAt: null,
    redeliveryOf: null,
    ...patch,
  };
}
const row = (d: DeliverySummaryFragment): Row => ({ ...d, lastStatus: null, lastError: null, fresh: false });
const attempt = (httpStatus: number | null, errorKind: string | null = null) => ({
  number: 1,
  startedAt: '2026-01-01T00:00:05.000Z',
  durationMs: 3,
  httpStatus,
  responseExcerpt: null,
  responseTruncated: false,
  errorKind,
  errorText: null,
});

const shown = [row(delivery('c', '2026-01-01T00:00:03.000Z')), row(delivery('b', '2026-01-01T00:00:02.000Z'))];

describe('console: live events in the deliveries list', () => {
  it('a new delivery joins the first page at its place, marked fresh; the page keeps its size', () => {
    const rows = applyEvent(
      shown,
      { delivery: delivery('d', '2026-01-01T00:00:04.000Z'), attempt: null },
      {},
      { size: 2 },
    );
    assert.deepEqual(
      rows.map((r) => [r.id, r.fresh]),
      [
        ['d', true],
        ['c', false],
      ],
    );
  });

  it('a row shown is updated in place with its last attempt, even when it leaves the status filter', () => {
    const rows = applyEvent(
      shown,
      {
        delivery: delivery('b', '2026-01-01T00:00:02.000Z', { status: 'FAILED', attemptCount: 3 }),
        attempt: attempt(500),
      },
      { status: 'PENDING' },
      { size: 2 },
    );
    assert.deepEqual(
      rows.map((r) => [r.id, r.status, r.attemptCount, r.lastStatus]),
      [
        ['c', 'PENDING', 0, null],
        ['b', 'FAILED', 3, 500],
      ],
    );
  });

  it('an attempt without a response shows its error kind', () => {
    const [, b] = applyEvent(
      shown,
      { delivery: delivery('b', shown[1]!.createdAt), attempt: attempt(null, 'timeout') },
      {},
      null,
    );
    assert.deepEqual([b?.lastStatus, b?.lastError], [null, 'timeout']);
  });

  it('leaves out what is not on this page or does not match', () => {
    const newer = { delivery: delivery('d', '2026-01-01T00:00:04.000Z'), attempt: null };
    assert.equal(applyEvent(shown, newer, {}, null), shown, 'not the first page');
    assert.equal(applyEvent(shown, newer, { status: 'FAILED' }, { size: 25 }), shown, 'another status');
    assert.equal(applyEvent(shown, newer, { until: '2026-01-01T00:00:04.000Z' }, { size: 25 }), shown, 'after until');
    assert.equal(applyEvent(shown, newer, { since: '2026-01-01T00:00:05.000Z' }, { size: 25 }), shown, 'before since');
    const older = { delivery: delivery('a', '2026-01-01T00:00:01.000Z'), attempt: null };
    assert.equal(applyEvent(shown, older, {}, { size: 2 }), shown, 'older than a full page');
  });
});
