import { NS_MAM } from '../namespaces.ts';
import type { StanzaKind } from '../stanza.ts';
import { field, isJsonObject, type JsonObject, type JsonValue, stringField, unparsable } from './json-value.ts';

/**
 * Which stanza a JSON object stands for, after mod_rest's rules: `kind`, else what the `type`
 * implies, else the first field that belongs to one kind, else a message. An iq's type defaults
 * to get (set for `command` and `archive`); a reply to an inbound iq defaults to result.
 */
const kindByType: Readonly<Record<string, StanzaKind>> = {
  get: 'iq',
  set: 'iq',
  result: 'iq',
  normal: 'message',
  chat: 'message',
  headline: 'message',
  groupchat: 'message',
  available: 'presence',
  unavailable: 'presence',
  subscribe: 'presence',
  subscribed: 'presence',
  unsubscribe: 'presence',
  unsubscribed: 'presence',
};

/**
 * mod_rest's implied kinds, plus the iq-only fields it forgets (lastactivity, extdisco,
 * upload_request, stats, register) and `muc`: without them mod_rest sends an empty message.
 */
const impliedKinds: readonly (readonly [string, StanzaKind])[] = [
  ...['ping', 'disco', 'items', 'version', 'command', 'archive'].map((name) => [name, 'iq'] as const),
  ...['lastactivity', 'extdisco', 'upload_request', 'stats', 'register'].map((name) => [name, 'iq'] as const),
  ...['body', 'html', 'replace', 'state', 'subject', 'thread'].map((name) => [name, 'message'] as const),
  ...['join', 'muc', 'priority', 'show', 'status'].map((name) => [name, 'presence'] as const),
];

const impliedSetFields = ['command', 'archive'];

export interface KindOptions {
  /** The kind when nothing else says (a webhook reply: the kind of the stanza it answers). */
  defaultKind?: StanzaKind;
  /** A webhook's reply: an iq is a result unless it says otherwise. */
  reply?: boolean;
}

function present(value: JsonValue | undefined): boolean {
  return value !== undefined && value !== null && value !== false;
}

export function resolveKind(object: JsonObject, options: KindOptions): { kind: StanzaKind; type: string | undefined } {
  let type = stringField(object, 'type');
  if (type === undefined && isJsonObject(field(object, 'error'))) type = 'error';
  if (type === undefined && !options.reply && impliedSetFields.some((name) => present(field(object, name))))
    type = 'set';
  const given = field(object, 'kind');
  let kind: StanzaKind | undefined;
  if (typeof given === 'string') {
    if (given !== 'message' && given !== 'presence' && given !== 'iq') throw unparsable();
    kind = given;
  }
  kind ??= type === undefined ? undefined : kindByType[type];
  kind ??= impliedKinds.find(([name]) => present(field(object, name)))?.[1];
  kind ??= options.defaultKind ?? 'message';
  if (kind === 'presence' && type === 'available') type = undefined;
  if (kind === 'iq' && type === undefined) type = options.reply ? 'result' : 'get';
  return { kind, type };
}

const ARCHIVE_FILTERS = ['with', 'start', 'end', 'before-id', 'after-id', 'ids'];
const ARCHIVE_PAGING = ['after', 'before', 'max'];

/**
 * mod_rest's shorthand for an archive query (XEP-0313): `{with, start, end, before-id, after-id,
 * ids, max, after, before}` become the query's form and result set. Unlike mod_rest, only the
 * filters given become form fields (it also sends the others, empty).
 */
export function expandArchiveQuery(archive: JsonValue | undefined): JsonValue | undefined {
  if (!isJsonObject(archive) || field(archive, 'form') !== undefined) return archive;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(archive))
    if (!ARCHIVE_FILTERS.includes(key) && !ARCHIVE_PAGING.includes(key)) out[key] = value;
  const filters = ARCHIVE_FILTERS.filter((name) => field(archive, name) !== undefined);
  if (filters.length > 0) {
    out.form = {
      type: 'submit',
      fields: [
        { var: 'FORM_TYPE', type: 'hidden', values: [NS_MAM] },
        ...filters.map((name) => {
          const value = field(archive, name);
          const values = name === 'ids' && typeof value === 'string' ? value.split(',').filter(Boolean) : value;
          return { var: name, values: Array.isArray(values) ? values : [values ?? null] };
        }),
      ],
    };
  }
  const paging = ARCHIVE_PAGING.filter((name) => field(archive, name) !== undefined);
  if (paging.length > 0) out.page = Object.fromEntries(paging.map((name) => [name, field(archive, name) ?? null]));
  return out;
}
