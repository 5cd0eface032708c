import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Admission, admit, type AdmissionState } from '../../src/webhooks/admission.ts';

/** The dispatcher's decision for each stanza, from counts and flags alone: no dispatcher, no I/O. */
const calm: AdmissionState = {
  kind: 'message',
  redelivery: false,
  stopping: false,
  held: 0,
  queueMax: 10,
  backlogWaiting: false,
  databaseUp: true,
};

const cases: [string, Partial<AdmissionState>, Admission][] = [
  // Messages and presences.
  ['a message with room is scheduled', {}, 'schedule'],
  ['a presence with room is scheduled', { kind: 'presence' }, 'schedule'],
  ['a message with one slot left is scheduled', { held: 9 }, 'schedule'],
  ['a message at the bound waits as a row', { held: 10 }, 'spill'],
  ['a presence past the bound waits as a row', { kind: 'presence', held: 11 }, 'spill'],
  ['a message while stopping waits as a row for the next start', { stopping: true }, 'spill'],
  ['a message behind rows waiting in the log joins them (its sender order)', { backlogWaiting: true }, 'spill'],
  [
    'a message behind rows the database cannot read now is delivered (no order against unreadable rows)',
    { backlogWaiting: true, databaseUp: false },
    'schedule',
  ],
  ['a message at the bound waits as a row even with the database down', { held: 10, databaseUp: false }, 'spill'],
  ['a redelivered message past the bound waits as a row too', { redelivery: true, held: 10 }, 'spill'],
  ['a redelivered message with room is scheduled', { redelivery: true }, 'schedule'],
  // Iqs.
  ['an iq with room is scheduled', { kind: 'iq' }, 'schedule'],
  ['an iq with one slot left is scheduled', { kind: 'iq', held: 9 }, 'schedule'],
  [
    'an iq goes past rows waiting in the log (it has no order to keep)',
    { kind: 'iq', backlogWaiting: true },
    'schedule',
  ],
  ['an iq at the bound is refused at once: webhook-queue-full', { kind: 'iq', held: 10 }, 'refuse-full'],
  ['an iq while stopping is refused at once: shutting-down', { kind: 'iq', stopping: true }, 'refuse-stopping'],
  ['stopping wins over the bound for an iq just received', { kind: 'iq', stopping: true, held: 10 }, 'refuse-stopping'],
  ['a redelivered iq with room is scheduled', { kind: 'iq', redelivery: true }, 'schedule'],
  [
    'a redelivered iq at the bound is refused to its caller',
    { kind: 'iq', redelivery: true, held: 10 },
    'reject-redelivery',
  ],
  [
    'a redelivered iq at the bound is refused to its caller while stopping too',
    { kind: 'iq', redelivery: true, stopping: true, held: 10 },
    'reject-redelivery',
  ],
  [
    'a redelivered iq with room while stopping is answered shutting-down',
    { kind: 'iq', redelivery: true, stopping: true },
    'refuse-stopping',
  ],
  ['a bound of 1 holds one iq', { kind: 'iq', queueMax: 1, held: 1 }, 'refuse-full'],
];

describe('webhook admission', () => {
  for (const [name, state, expected] of cases) {
    it(name, () => {
      assert.equal(admit({ ...calm, ...state }), expected);
    });
  }
});
