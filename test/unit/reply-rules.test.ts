import assert from 'node:assert/strict';
import { STATUS_CODES } from 'node:http';
import { describe, it } from 'node:test';
import { callbackStatuses } from '../../src/errors/callback-statuses.ts';
import type { CallbackExchange } from '../../src/webhooks/callback-client.ts';
import { applyReplyRules, type Verdict } from '../../src/webhooks/reply-rules.ts';
import { stanzaFromLog } from '../../src/webhooks/stored-stanza.ts';
import type { Stanza } from '../../src/xmpp/codec/index.ts';

/**
 * The webhook reply table (docs/webhooks.md, "What the sender gets") row by row, without a
 * network: each status class and its edges, every row of the status table, the non-answers, and
 * what a reply may and may not be. webhook-contract.test.ts runs the same rows through Prosody.
 */
const DOMAIN = 'rest.localhost';
const RULES = { domain: DOMAIN, maxStanzaBytes: 1 << 18 };
const MAX_BODY = 1000;

function inbound(xml: string): Stanza {
  const stanza = stanzaFromLog(xml, DOMAIN);
  if (!stanza) throw new Error(xml);
  return stanza;
}

function answered(
  status: number,
  /** null: larger than the limit, so not read. */
  body: string | null = '',
  headers: Record<string, string> = {},
): Extract<CallbackExchange, { kind: 'response' }> {
  return {
    kind: 'response',
    status,
    reason: '',
    headers,
    body: body === null ? undefined : Buffer.from(body),
    excerpt: body ?? '',
    truncated: body === null,
    durationMs: 1,
  };
}

const xmpp = { 'content-type': 'application/xmpp+xml' };
const message = inbound(
  "<message from='alice@localhost/phone' to='bot@rest.localhost' id='m1' type='chat'><body>hi</body></message>",
);
const iq = inbound(
  "<iq from='alice@localhost/phone' to='bot@rest.localhost' id='q1' type='get'><query xmlns='urn:example:q'/></iq>",
);
const iqResult = inbound("<iq from='alice@localhost/phone' to='bot@rest.localhost' id='r1' type='result'/>");
const groupchat = inbound(
  "<message from='room@muc.localhost/alice' to='bot@rest.localhost' id='g1' type='groupchat'><body>hi</body></message>",
);

const judge = (request: Stanza, exchange: Parameters<typeof applyReplyRules>[1]): Verdict =>
  applyReplyRules(request, exchange, RULES, MAX_BODY);

/** The reply's error, as `type/condition`, or undefined. */
function errorOf(verdict: Verdict): string | undefined {
  const error = verdict.reply?.element.getChild('error');
  const condition = error?.getChildElements().find((child) => child.name !== 'text');
  return error ? `${error.attrs.type}/${condition?.name}` : undefined;
}

describe('the status classes and their edges', () => {
  for (const status of [200, 201, 250, 299]) {
    it(`${status} with an empty body: delivered, accepted; an iq gets an empty result`, () => {
      const verdict = judge(iq, answered(status));
      assert.equal(verdict.status, 'delivered');
      assert.equal(verdict.outcome, 'accepted');
      assert.equal(verdict.retryable, false);
      assert.equal(verdict.reply?.element.attrs.type, 'result');
      assert.equal(verdict.reply?.element.attrs.id, 'q1');
      assert.equal(judge(message, answered(status)).reply, undefined, 'a message gets nothing');
    });
  }

  for (const status of [100, 199, 300, 302, 399, 600]) {
    it(`${status}: an invalid response, never retried; an iq gets an error`, () => {
      const verdict = judge(iq, answered(status));
      assert.equal(verdict.status, 'failed');
      assert.equal(verdict.outcome, 'invalid-response');
      assert.equal(verdict.retryable, false);
      assert.equal(verdict.attemptError?.kind, 'invalid-response');
      assert.match(verdict.attemptError?.text ?? '', new RegExp(`unexpected status ${status}`));
      assert.equal(verdict.reply?.element.attrs.type, 'error');
      assert.equal(judge(message, answered(status)).reply, undefined, 'a message gets nothing');
    });
  }

  for (const status of [400, 418, 499, 500, 503, 599]) {
    const retryable = status === 429 || status >= 500;
    it(`${status}: an http-error${retryable ? ', retried' : ', not retried'}; the sender gets its stanza error`, () => {
      const verdict = judge(message, answered(status, '', { 'retry-after': '7' }));
      assert.equal(verdict.status, 'failed');
      assert.equal(verdict.outcome, 'http-error');
      assert.equal(verdict.retryable, retryable);
      assert.equal(verdict.retryAfterMs, 7000);
      assert.equal(verdict.attemptError?.kind, 'http');
      assert.match(verdict.attemptError?.text ?? '', new RegExp(`^${status} `));
      const row = callbackStatuses[status] ?? { type: 'cancel', condition: 'undefined-condition' };
      assert.equal(errorOf(verdict), `${row.type}/${row.condition}`);
      assert.equal(verdict.reply?.element.attrs.to, 'alice@localhost/phone');
      assert.equal(verdict.reply?.element.attrs.from, 'bot@rest.localhost');
    });
  }

  it("every row of docs/webhooks.md's status table is what the sender gets", () => {
    // Written out, not read from the table: a changed row must fail here.
    const documented: Record<number, string> = {
      400: 'modify/bad-request',
      401: 'auth/not-authorized',
      403: 'auth/forbidden',
      404: 'cancel/item-not-found',
      405: 'cancel/not-allowed',
      409: 'cancel/conflict',
      413: 'modify/resource-constraint',
      429: 'wait/resource-constraint',
      500: 'wait/internal-server-error',
      501: 'cancel/feature-not-implemented',
      502: 'wait/remote-server-timeout',
      503: 'cancel/service-unavailable',
      504: 'wait/remote-server-timeout',
      410: 'cancel/undefined-condition',
      507: 'cancel/undefined-condition',
    };
    for (const [status, expected] of Object.entries(documented)) {
      const verdict = judge(iq, answered(Number(status)));
      assert.equal(errorOf(verdict), expected, status);
      assert.equal(verdict.reply?.element.getChild('error')?.getChildText('text'), `${status} ${STATUS_CODES[status]}`);
    }
    assert.deepEqual(
      Object.keys(callbackStatuses).map(Number).sort(),
      [400, 401, 403, 404, 405, 409, 413, 429, 500, 501, 502, 503, 504],
    );
  });
});

describe('no answer at all', () => {
  for (const kind of ['timeout', 'connect'] as const) {
    it(`${kind}: unreachable, retried; the sender gets recipient-unavailable, saying which`, () => {
      const verdict = judge(iq, { kind, text: `${kind} text`, durationMs: 1 });
      assert.equal(verdict.status, 'failed');
      assert.equal(verdict.outcome, 'unreachable');
      assert.equal(verdict.retryable, true);
      assert.deepEqual(verdict.attemptError, { kind, text: `${kind} text` });
      assert.equal(errorOf(verdict), 'wait/recipient-unavailable');
      assert.equal(
        verdict.reply?.element.getChild('error')?.getChildText('text'),
        kind === 'timeout' ? 'The callback did not answer in time' : 'The callback could not be reached',
      );
    });
  }
});

describe('what a 2xx body may be', () => {
  it('202 and 204 accept whatever the body says; so does a blank 200', () => {
    for (const [status, body] of [
      [202, '<message><body>ignored</body></message>'],
      [204, '<message><body>ignored</body></message>'],
      [200, '  \n '],
    ] as const) {
      const verdict = judge(message, answered(status, body, xmpp));
      assert.equal(verdict.outcome, 'accepted', `${status}`);
      assert.equal(verdict.reply, undefined);
    }
  });

  it('a reply goes back to the sender from the address it was sent to, whatever the callback wrote', () => {
    const verdict = judge(
      message,
      answered(200, "<message to='eve@localhost' from='x@elsewhere' type='chat'><body>re</body></message>", xmpp),
    );
    assert.equal(verdict.outcome, 'replied');
    assert.equal(verdict.status, 'delivered');
    assert.equal(verdict.reply?.element.attrs.to, 'alice@localhost/phone');
    assert.equal(verdict.reply?.element.attrs.from, 'bot@rest.localhost');
    assert.equal(verdict.reply?.element.getChildText('body'), 're');
  });

  it('a groupchat reply goes to the room, not to the occupant', () => {
    const verdict = judge(groupchat, answered(200, "<message type='groupchat'><body>re</body></message>", xmpp));
    assert.equal(verdict.reply?.element.attrs.to, 'room@muc.localhost');
  });

  it("an iq reply keeps the request's id; a result and an error are the only iq replies", () => {
    const ok = judge(iq, answered(200, "<iq type='result' id='other'><query xmlns='urn:example:q'/></iq>", xmpp));
    assert.equal(ok.outcome, 'replied');
    assert.equal(ok.reply?.element.attrs.id, 'q1');
    const error = judge(iq, answered(200, "<iq type='error'><error type='cancel'/></iq>", xmpp));
    assert.equal(error.outcome, 'replied');
    const set = judge(iq, answered(200, "<iq type='set'><query xmlns='urn:example:q'/></iq>", xmpp));
    assert.equal(set.outcome, 'invalid-response');
    assert.match(set.attemptError?.text ?? '', /must be of type 'result' or 'error'/);
    assert.equal(set.reply?.element.attrs.type, 'error');
  });

  it('a reply of another kind than the request is invalid', () => {
    const verdict = judge(message, answered(200, '<presence/>', xmpp));
    assert.equal(verdict.outcome, 'invalid-response');
    assert.match(verdict.attemptError?.text ?? '', /a <presence> answering a <message>/);
  });

  it('a body past the limit (not read) is invalid, and says its limit', () => {
    const verdict = judge(iq, answered(200, null, xmpp));
    assert.equal(verdict.outcome, 'invalid-response');
    assert.match(verdict.attemptError?.text ?? '', new RegExp(`body larger than ${MAX_BODY} bytes`));
  });
});

describe('never an answer to an answer', () => {
  it('a result or error from the sender gets no reply, whatever the callback said', () => {
    for (const exchange of [
      answered(200, "<iq type='result'/>", xmpp),
      answered(404),
      { kind: 'timeout', text: 't', durationMs: 1 } as const,
    ]) {
      const verdict = judge(iqResult, exchange);
      assert.equal(verdict.reply, undefined);
    }
    assert.equal(judge(iqResult, answered(404)).outcome, 'http-error', 'the outcome is still logged');
  });
});
