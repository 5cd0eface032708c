import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { createLogger } from '../../src/log.ts';

it('redacts secrets, tokens and Authorization headers wherever they appear', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger('info', sink);
  log.info(
    { authorization: 'Bearer abc-secret-token', headers: { authorization: 'Bearer abc-secret-token' } },
    'request',
  );
  log.info({ config: { xmpp: { secret: 'component-secret' }, auth: { tokens: ['abc-secret-token'] } } }, 'config');
  log.info({ token: 'abc-secret-token', password: 'pw-secret', databaseUrl: 'postgres://u:pw-secret@h/db' }, 'misc');
  const output = lines.join('');
  assert.equal(lines.length, 3);
  assert.doesNotMatch(output, /abc-secret-token|component-secret|pw-secret/);
  assert.match(output, /\[redacted\]/);
});
