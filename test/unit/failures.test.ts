import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../../src/errors/gateway-error.ts';
import { failures, type FailureKind } from '../../src/errors/failures.ts';
import { replyFormat } from '../../src/formats/index.ts';
import { errorBody } from '../../src/rest/formats/error-bodies.ts';

/** docs/rest.md's table, row by row: status, stanza error type and condition, text. */
const contract: [FailureKind, number, string, string, string][] = [
  ['no-credentials', 401, 'auth', 'not-authorized', 'No credentials provided'],
  ['bad-credentials', 403, 'auth', 'not-authorized', 'Credentials not accepted'],
  ['unsupported-media-type', 415, 'cancel', 'bad-format', 'Unsupported media type'],
  ['payload-too-large', 413, 'modify', 'resource-constraint', 'Payload too large'],
  ['not-well-formed', 400, 'modify', 'not-well-formed', 'Failed to parse payload'],
  [
    'unsupported-stanza-type',
    422,
    'modify',
    'unsupported-stanza-type',
    "Invalid stanza, must be 'message', 'presence' or 'iq'.",
  ],
  ['invalid-namespace', 422, 'modify', 'invalid-namespace', "'xmlns' attribute must be empty"],
  ['invalid-to', 422, 'modify', 'improper-addressing', 'Invalid destination JID'],
  ['invalid-from', 422, 'modify', 'invalid-from', 'Invalid source JID'],
  ['from-not-authorized', 403, 'auth', 'not-authorized', "Not authorized to send stanza with requested 'from'"],
  ['invalid-iq-type', 422, 'modify', 'invalid-xml', "'iq' stanza must be of type 'get' or 'set'"],
  ['iq-child-count', 422, 'modify', 'bad-format', "'iq' stanza must have exactly one child tag"],
  ['iq-timeout', 504, 'wait', 'remote-server-timeout', 'IQ stanza timed out'],
];

describe('the failure table', () => {
  for (const [kind, http, type, condition, text] of contract) {
    it(`${kind} → ${http} ${type}/${condition}`, () => {
      const error = new GatewayError(kind);
      assert.deepEqual([error.http, error.type, error.condition, error.text], [http, type, condition, text]);
    });
  }

  it('the link-down row is 503 wait/service-unavailable', () => {
    assert.equal(failures['link-down'].http, 503);
    assert.equal(failures['link-down'].type, 'wait');
    assert.equal(failures['link-down'].condition, 'service-unavailable');
  });

  it('every HTTP status is an error status and every kind has a text', () => {
    for (const [kind, row] of Object.entries(failures)) {
      assert.ok(row.http >= 400 && row.http <= 599, kind);
      assert.ok(row.text.length > 0, kind);
    }
  });

  it('renders the XML and JSON bodies of docs/rest.md', () => {
    const error = new GatewayError('bad-credentials');
    assert.equal(
      errorBody(replyFormat(undefined), error),
      "<error xmlns='http://etherx.jabber.org/streams'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>" +
        "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Credentials not accepted</text></error>",
    );
    assert.deepEqual(JSON.parse(errorBody(replyFormat('application/json'), error)), {
      type: 'error',
      code: 403,
      error: { type: 'auth', condition: 'not-authorized', text: 'Credentials not accepted' },
    });
  });

  it('renders a form body with the parts of the error as flat fields', () => {
    const error = new GatewayError('bad-credentials');
    assert.equal(
      errorBody('form', error),
      'type=error&code=403&error_type=auth&error_condition=not-authorized&error_text=Credentials%20not%20accepted',
    );
  });

  it('escapes texts in XML bodies', () => {
    const error = new GatewayError('internal', { text: 'a <b> & c' });
    assert.match(errorBody(replyFormat('*/*'), error), /<text [^>]*>a &lt;b&gt; &amp; c<\/text>/);
  });
});
