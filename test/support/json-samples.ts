import type { JsonObject } from '../../src/xmpp/codec/json-mapping/index.ts';

/**
 * A value for every field of mod_rest's JSON mapping, per stanza kind: the unit tests map them
 * both ways, the integration tests send them through Prosody. Addresses fit the test Prosody
 * (the gateway is rest.localhost, the user alice@localhost/phone).
 */
export const samples: Record<'message' | 'presence' | 'iq', JsonObject> = {
  message: {
    kind: 'message',
    type: 'chat',
    to: 'alice@localhost/phone',
    from: 'bot@rest.localhost',
    id: 'm1',
    lang: 'en',
    body: 'Hello',
    subject: 'Greetings',
    thread: { id: 't1', parent: 't0' },
    oob: { url: 'https://files.example/cat.jpg', desc: 'a cat' },
    oob_url: 'https://files.example/cat.jpg',
    state: 'composing',
    replace: 'm0',
    reactions: { id: 'm0', reactions: ['👍', '🐈'] },
    markable: true,
    displayed: 'm-1',
    stanza_ids: [{ id: 's1', by: 'example.net' }],
    delay: '2024-01-02T03:04:05Z',
    nick: 'Bot',
    archive: {
      queryid: 'q1',
      id: 'a1',
      forward: {
        delay: '2024-01-01T00:00:00Z',
        message: { type: 'groupchat', from: 'room@muc.example/nick', id: 'x1', lang: 'en', body: 'archived' },
      },
    },
    forwarded: { delay: '2024-01-01T00:00:00Z', message: { type: 'chat', body: 'forwarded' } },
    attach_to: 'm0',
    encryption: 'urn:xmpp:otr:0',
    fallback: true,
    invite: { jid: 'room@muc.example', reason: 'join us', password: 'pw', thread: 't1', continue: true },
    occupant_id: 'occ1',
    reference: { type: 'mention', uri: 'xmpp:alice@example.net', begin: 0, end: 5 },
    reply: { to: 'alice@example.net', id: 'm0' },
    rsm: { after: 'a', before: 'b', count: 3, first: 'f', index: 1, last: 'l', max: 10 },
    html: '<body><p>Hello <b>there</b></p></body>',
    payload: { datatype: 'urn:example:x', data: { some: ['json', 1, true, null] } },
    dataform: {
      type: 'form',
      title: 'T',
      instructions: 'I',
      fields: [
        { var: 'a', type: 'text-single', label: 'A', desc: 'd', required: true, value: 'x' },
        { var: 'b', type: 'list-multi', value: ['1', '2'], options: [{ label: 'One', value: '1' }] },
        { var: 'c', type: 'text-multi', value: 'line 1\nline 2' },
      ],
    },
  },
  presence: {
    kind: 'presence',
    type: 'available',
    to: 'room@muc.example/bot',
    from: 'bot@rest.localhost',
    id: 'p1',
    lang: 'de',
    show: 'away',
    status: 'brb',
    priority: 5,
    caps: { ext: 'e', hash: 'sha-1', node: 'https://gateway.example', ver: 'abc=' },
    idle_since: '2024-01-01T00:00:00Z',
    muc: { history: { maxchars: 0, maxstanzas: 10, seconds: 60, since: '2024-01-01T00:00:00Z' } },
    vcard_update: { photo: 'adc83b19e793491b1c6ea0fd8b46cd9f32e592fc' },
    delay: '2024-01-02T03:04:05Z',
    nick: 'Bot',
    rsm: { max: 1 },
  },
  iq: {
    kind: 'iq',
    type: 'result',
    to: 'alice@localhost/phone',
    from: 'bot@rest.localhost',
    id: 'i1',
    lang: 'en',
    version: { name: 'Bot', version: '1.0', os: 'Linux' },
    delay: '2024-01-02T03:04:05Z',
    nick: 'Bot',
    rsm: { count: 0 },
  },
};

/** Each iq payload on its own (an iq carries one). */
export const iqPayloads: JsonObject[] = [
  { ping: true },
  { version: { name: 'Bot', version: '1.0', os: 'Linux' } },
  { lastactivity: { seconds: 42, status: 'gone fishing' } },
  {
    extdisco: {
      type: 'turn',
      services: [
        {
          type: 'turn',
          host: 'turn.example',
          port: 3478,
          transport: 'udp',
          name: 'TURN',
          username: 'u',
          password: 'p',
          expires: '2024-01-01T00:00:00Z',
          restricted: true,
        },
      ],
    },
  },
  {
    archive: {
      queryid: 'q1',
      form: { type: 'submit', fields: [{ var: 'FORM_TYPE', type: 'hidden', values: ['urn:xmpp:mam:2'] }] },
      page: { max: 10, after: 'x' },
    },
  },
  { result: { page: { first: 'a', last: 'b', count: 2 } } },
  { upload_request: { filename: 'cat.jpg', size: 1024, 'content-type': 'image/jpeg' } },
  {
    upload_slot: {
      put: { url: 'https://up.example/put', headers: [{ name: 'Authorization', value: 'Bearer x' }] },
      get: { url: 'https://up.example/get' },
    },
  },
  { stats: [{ name: 'users/online', unit: 'users', value: 3 }] },
  { oob: { url: 'https://files.example/cat.jpg', desc: 'a cat' } },
  { register: { instructions: 'Choose', username: 'u', password: 'p', email: 'e@x', registered: true } },
  { gateway: { desc: 'Enter the number', prompt: 'Number', jid: 'x@gw' } },
  { disco: { node: 'n', identities: [{ category: 'client', type: 'bot', name: 'Bot' }], features: ['urn:x'] } },
  { disco: 'node-to-ask' },
  { disco: true },
  { items: [{ jid: 'a@example.net', node: 'n', name: 'A' }, { jid: 'b@example.net' }] },
  { items: true },
  {
    command: {
      node: 'uptime',
      action: 'execute',
      sessionid: 's1',
      status: 'executing',
      actions: { execute: 'next', next: true, complete: true },
      form: { type: 'form', fields: [{ var: 'a', type: 'text-single', value: 'x' }] },
    },
  },
  { command: { node: 'uptime', status: 'completed', note: { type: 'info', text: 'up 3 days' } } },
  { payload: { datatype: 'urn:example:x', data: [1, 2] } },
];
