import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type AddressPattern, parseAddressPattern } from './address-pattern.ts';
import { isOperation, type Operation, operations } from './operations.ts';
import type { Rate } from './token-bucket.ts';

/**
 * API_SCOPED_TOKENS: the scoped tokens, a list of definitions (JSON in the environment, a list
 * in a YAML or JSON config file). Each one:
 *   name   letters, digits, `.`, `_`, `-`: named in logs, metrics and `status`, never the secret;
 *   token  the secret itself (at least 16 characters), or
 *   hash   `sha256:` and its SHA-256 in hex (`printf %s "$TOKEN" | sha256sum`), so that the
 *          config file holds no secret;
 *   from   address patterns (address-pattern.ts) it may send as, or `all`;
 *   see    address patterns of the inbound stanzas (their `to`) its subscriptions receive, or
 *          `all`; without it, the same as `from`;
 *   can    its operations (operations.ts); `deliveries` and `redeliver` (the whole delivery
 *          log) need `see: all`;
 *   rate   `{ perSecond, burst }`: sends (messages, presences, iqs) past it are refused with 429.
 */
export type AddressScope = readonly AddressPattern[] | 'all';

export interface TokenDefinition {
  name: string;
  /** SHA-256 of the token: what bearer-auth.ts compares, in constant time. */
  digest: Buffer;
  from: AddressScope;
  see: AddressScope;
  can: ReadonlySet<Operation>;
  rate: Rate | undefined;
}

const KEYS = new Set(['name', 'token', 'hash', 'from', 'see', 'can', 'rate']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The names API_TOKENS' entries get (bearer-auth.ts): a scoped token may not take one. */
export const PLAIN_TOKEN_NAME = /^api-token-\d+$/;
const MAX_RATE = 1_000_000;

export function sha256(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Reads the definitions; every problem is a sentence naming the token it is about. */
export function readTokenDefinitions(value: unknown): { definitions: TokenDefinition[]; problems: string[] } {
  if (!Array.isArray(value)) return { definitions: [], problems: ['must be a list of token definitions'] };
  const definitions: TokenDefinition[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  const digests = new Set<string>();
  value.forEach((item: unknown, index) => {
    const label = isRecord(item) && typeof item.name === 'string' ? `token "${item.name}"` : `token ${index + 1}`;
    const found: string[] = [];
    const { definition, name, digest } = readOne(item, found);
    // Duplicates are told even of a token with other problems, so one run shows them all.
    if (name !== undefined && names.has(name)) found.push('the name is taken by another token');
    const key = digest?.toString('hex');
    if (key !== undefined && digests.has(key)) found.push('the same secret as another token');
    if (name !== undefined) names.add(name);
    if (key !== undefined) digests.add(key);
    problems.push(...found.map((problem) => `${label}: ${problem}`));
    if (definition && found.length === 0) definitions.push(definition);
  });
  return { definitions, problems };
}

interface ReadToken {
  definition?: TokenDefinition;
  name?: string;
  digest?: Buffer;
}

function readOne(item: unknown, problems: string[]): ReadToken {
  if (!isRecord(item)) {
    problems.push('must be a mapping (name, token or hash, from, see, can, rate)');
    return {};
  }
  for (const key of Object.keys(item)) {
    if (!KEYS.has(key)) problems.push(`"${key}" is not a key of a token (${[...KEYS].join(', ')})`);
  }
  const name = item.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    problems.push('needs a name of letters, digits, ".", "_" or "-" (at most 64)');
  } else if (PLAIN_TOKEN_NAME.test(name)) {
    problems.push('its name looks like those API_TOKENS entries get (api-token-N): choose another');
  }
  const digest = readSecret(item, problems);
  const from = readAddresses(item.from, 'from', problems);
  const see = item.see === undefined ? from : readAddresses(item.see, 'see', problems);
  const can = readOperations(item.can, problems);
  const rate = item.rate === undefined ? undefined : readRate(item.rate, problems);
  if (can && from !== undefined && from !== 'all' && from.length === 0 && (can.has('send') || can.has('iq'))) {
    problems.push('can send or iq, but its from list is empty: it could send as nobody');
  }
  // The delivery log is read and redelivered whole (its store pages by SQL, not by address):
  // a token that sees only some addresses must not read the others' deliveries there.
  const logRights = can ? (['deliveries', 'redeliver'] as const).filter((operation) => can.has(operation)) : [];
  if (see !== undefined && see !== 'all' && logRights.length > 0) {
    problems.push(`can ${logRights.join(' and ')}, but its see is not all: the delivery log is shown whole`);
  }
  const named = typeof name === 'string' ? name : undefined;
  if (problems.length > 0 || !digest || !from || !see || !can || named === undefined) return { name: named, digest };
  return { definition: { name: named, digest, from, see, can, rate }, name: named, digest };
}

function readSecret(item: Record<string, unknown>, problems: string[]): Buffer | undefined {
  const { token, hash } = item;
  if (token !== undefined && hash !== undefined) {
    problems.push('has both token and hash: give one');
    return undefined;
  }
  if (token !== undefined) {
    if (typeof token === 'string' && token.length >= 16 && !/[\s,]/.test(token)) return sha256(token);
    problems.push('its token must be a string of at least 16 characters, without spaces or commas');
    return undefined;
  }
  if (hash !== undefined) {
    const hex = typeof hash === 'string' ? /^sha256:([0-9a-fA-F]{64})$/.exec(hash.trim())?.[1] : undefined;
    if (hex !== undefined) return Buffer.from(hex, 'hex');
    problems.push('its hash must be sha256: followed by 64 hex digits (printf %s "$TOKEN" | sha256sum)');
    return undefined;
  }
  problems.push('needs a token or a hash');
  return undefined;
}

function readAddresses(value: unknown, key: 'from' | 'see', problems: string[]): AddressScope | undefined {
  if (value === 'all') return 'all';
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
    problems.push(`its ${key} must be a list of address patterns, or all`);
    return undefined;
  }
  const patterns: AddressPattern[] = [];
  for (const text of list) {
    const pattern = parseAddressPattern(text);
    if (typeof pattern === 'string') problems.push(`${key}: ${pattern}`);
    else patterns.push(pattern);
  }
  return patterns.length === list.length ? patterns : undefined;
}

function readOperations(value: unknown, problems: string[]): ReadonlySet<Operation> | undefined {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    problems.push(`needs can: a list of operations (${operations.join(', ')})`);
    return undefined;
  }
  const unknown = value.filter((item) => !isOperation(item));
  for (const item of unknown) problems.push(`can: "${item}" is not an operation (${operations.join(', ')})`);
  return unknown.length === 0 ? new Set(value as Operation[]) : undefined;
}

function readRate(value: unknown, problems: string[]): Rate | undefined {
  const message = `its rate must be { perSecond, burst }: perSecond above 0 and at most ${MAX_RATE}, burst a whole number from 1 (default: perSecond, rounded up)`;
  if (!isRecord(value) || Object.keys(value).some((key) => key !== 'perSecond' && key !== 'burst')) {
    problems.push(message);
    return undefined;
  }
  const { perSecond, burst = Math.max(1, Math.ceil(Number(perSecond))) } = value;
  if (typeof perSecond !== 'number' || !(perSecond > 0 && perSecond <= MAX_RATE)) {
    problems.push(message);
    return undefined;
  }
  if (typeof burst !== 'number' || !Number.isInteger(burst) || burst < 1 || burst > MAX_RATE) {
    problems.push(message);
    return undefined;
  }
  return { perSecond, burst };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The settings row's parser: JSON text (the config file hands its list over as JSON) into
 * definitions, every problem reported at once, no secret repeated.
 */
export const scopedTokens = z.string().transform((raw, ctx) => {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a list of token definitions: JSON in the environment, a list in a config file',
    });
    return z.NEVER;
  }
  const { definitions, problems } = readTokenDefinitions(value);
  if (problems.length > 0) {
    const [first] = problems;
    const message = first === 'must be a list of token definitions' ? first : `is not valid: ${problems.join('; ')}`;
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  }
  return definitions;
});
