import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeBody,
  decodeForm,
  encodeForm,
  flatFields,
  formatOfContentType,
  replyFormat,
} from '../../src/formats/index.ts';

/** The body formats of /rest and the callbacks: media types, negotiation, form encoding. */
describe('content types', () => {
  it('knows the four formats, with a UTF-8 charset or none', () => {
    assert.equal(formatOfContentType('application/xmpp+xml'), 'xml');
    assert.equal(formatOfContentType('Application/JSON; charset=UTF-8'), 'json');
    assert.equal(formatOfContentType('application/x-www-form-urlencoded'), 'form');
    assert.equal(formatOfContentType('text/plain;charset=utf-8'), 'text');
    assert.equal(formatOfContentType('text/plain; charset=latin1'), undefined);
    assert.equal(formatOfContentType('application/xml'), undefined);
    assert.equal(formatOfContentType(undefined), undefined);
  });
});

describe('reply negotiation: Accept, then the Content-Type, then XML', () => {
  for (const [accept, contentType, expected] of [
    [undefined, undefined, 'xml'],
    ['application/json', 'application/xmpp+xml', 'json'],
    ['*/*', 'application/json', 'json'],
    ['*/*', 'application/x-www-form-urlencoded', 'form'],
    ['text/html', 'text/plain', 'xml'],
    ['application/json, application/xmpp+xml', undefined, 'json'],
    ['application/xmpp+xml, application/json', 'application/json', 'xml'],
    ['application/json;q=0.5, application/x-www-form-urlencoded', undefined, 'form'],
    ['application/json;q=0, */*', 'application/json', 'xml'],
    ['application/xmpp+xml;q=0', undefined, 'json'],
  ] as const) {
    it(`Accept ${accept ?? '(none)'}, Content-Type ${contentType ?? '(none)'} → ${expected}`, () => {
      assert.equal(replyFormat(accept, contentType), expected);
    });
  }
});

describe('form encoding (Prosody util.http)', () => {
  it('reads pairs: + is a space, %XX is UTF-8, the last of a repeated key wins, pieces without = are skipped', () => {
    const decoded = decodeForm('to=alice%40example.net&body=hello+w%C3%B6rld&x&body=second&empty=');
    assert.ok('fields' in decoded);
    assert.deepEqual({ ...decoded.fields }, { to: 'alice@example.net', body: 'second', empty: '' });
    assert.deepEqual(
      { ...decodeForm('body=hello+w%C3%B6rld') },
      { fields: Object.assign(Object.create(null) as object, { body: 'hello wörld' }) },
    );
  });

  it('a body without = is text, percent-decoded only (mod_rest keeps a + as it is)', () => {
    assert.deepEqual(decodeForm('hello+w%C3%B6rld'), { text: 'hello+wörld' });
  });

  it('__proto__ is a field like any other', () => {
    const decoded = decodeForm('__proto__=x&body=y');
    assert.ok('fields' in decoded);
    assert.equal(Object.getPrototypeOf(decoded.fields), null);
    assert.equal(decoded.fields.__proto__, 'x');
  });

  it('invalid UTF-8 in an escape: not-well-formed', () => {
    assert.throws(() => decodeBody('form', Buffer.from('body=%FF'), 100), { kind: 'not-well-formed' });
  });

  it('writes the flat fields of a stanza, true as an empty value, a stanza error as error_* fields', () => {
    const flat = flatFields({
      kind: 'iq',
      type: 'error',
      ping: true,
      seconds: 3,
      disco: { features: [] },
      error: { type: 'cancel', condition: 'item-not-found', text: 'gone' },
    });
    assert.deepEqual(flat, {
      kind: 'iq',
      type: 'error',
      ping: '',
      seconds: '3',
      error_type: 'cancel',
      error_condition: 'item-not-found',
      error_text: 'gone',
    });
    assert.equal(encodeForm({ a: 'x y', 'b&': 'ü' }), 'a=x%20y&b%26=%C3%BC');
  });
});

describe('decoding bodies', () => {
  for (const [name, body] of [
    ['malformed JSON', '{"body":'],
    ['a JSON array', '[{"body":"x"}]'],
    ['JSON null', 'null'],
    ['a JSON string', '"hello"'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
  ] as const) {
    it(`${name}: not-well-formed`, () => {
      assert.throws(() => decodeBody('json', Buffer.from(body), 1000), { kind: 'not-well-formed' });
    });
  }

  it('a body over the limit: payload-too-large', () => {
    assert.throws(() => decodeBody('text', Buffer.alloc(11), 10), { kind: 'payload-too-large' });
  });

  it('a form without pairs is text', () => {
    assert.deepEqual(decodeBody('form', Buffer.from('hi%20there'), 100), { format: 'text', text: 'hi there' });
  });
});
