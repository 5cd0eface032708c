import type { z } from 'zod';
import { crossChecks, type Setting, type SettingName, settings } from './settings.ts';

export type { SettingName } from './settings.ts';

type Settings = typeof settings;

/** What a setting holds after parsing: undefined only for an optional one left unset. */
type ValueOf<S extends Setting> = S extends { optional: true }
  ? z.output<S['schema']> | undefined
  : z.output<S['schema']>;

/** `'a.b'` with a value V → `{ a: { b: V } }`. */
type Nest<Path extends string, V> = Path extends `${infer Head}.${infer Rest}`
  ? { [K in Head]: Nest<Rest, V> }
  : { [K in Path]: V };

type UnionToIntersection<U> = (U extends unknown ? (from: U) => void : never) extends (from: infer I) => void
  ? I
  : never;

/** Flattens the intersections into one plain object type, so that editors show Config readably. */
type Plain<T> = T extends Buffer | Date | readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]: Plain<T[K]> }
    : T;

/**
 * The typed configuration, derived from the settings table (src/settings.ts): every row puts
 * its parsed value at its `path`.
 */
export type Config = Plain<
  UnionToIntersection<{ [K in SettingName]: Nest<Settings[K]['path'], ValueOf<Settings[K]>> }[SettingName]>
>;
export type WebhookSettings = Config['webhook'];
export type DeliveryLogSettings = Config['deliveryLog'];

export interface ConfigProblem {
  /** The setting (or command-line option, or config-file key) that is wrong. */
  setting: string;
  message: string;
}

/** Everything wrong with a configuration at once: one problem per line of the message. */
export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(setting: string, message: string);
  constructor(problems: readonly ConfigProblem[]);
  constructor(settingOrProblems: string | readonly ConfigProblem[], message = '') {
    const problems =
      typeof settingOrProblems === 'string' ? [{ setting: settingOrProblems, message }] : settingOrProblems;
    super(problems.map((problem) => `${problem.setting}: ${problem.message}`).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }

  /** The first setting named, for callers that care about one. */
  get setting(): string {
    return this.problems[0]?.setting ?? '';
  }
}

type Env = Record<string, string | undefined>;

/** The documented settings, in table order, for `--help`, config files and the README. */
export const settingNames = Object.keys(settings) as SettingName[];

/**
 * Reads and validates the configuration from environment-style names; throws one ConfigError
 * listing every problem (a missing required setting, an invalid value, a broken cross check).
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: ConfigProblem[] = [];
  const values: Partial<Record<SettingName, unknown>> = {};
  for (const name of settingNames) {
    const result = readSetting(name, env);
    if ('problem' in result) problems.push({ setting: name, message: result.problem });
    else values[name] = result.value;
  }
  for (const check of crossChecks) {
    if (check.reads.every((name) => name in values) && !check.holds(values)) {
      problems.push({ setting: check.setting, message: check.message(values) });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const config: Record<string, unknown> = {};
  for (const name of settingNames) placeAt(config, settings[name].path, values[name]);
  // Sound by construction: Config is derived from the same rows' paths and schemas.
  return config as Config;
}

function readSetting(name: SettingName, env: Env): { value: unknown } | { problem: string } {
  const setting: Setting = settings[name];
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') {
    if ('required' in setting) return { problem: `is required but not set${nearMiss(name, env)}` };
    if ('optional' in setting) return { value: undefined };
    return { value: setting.schema.parse(setting.default) };
  }
  const result = setting.schema.safeParse(raw);
  if (result.success) return { value: result.data };
  const message = result.error.issues[0]?.message ?? 'is not valid';
  // Secret values (and URLs, which may carry credentials) are never repeated back.
  return { problem: setting.secret ? message : `${message} (it is ${quote(raw)})` };
}

function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** A set variable whose name is one typo away from a missing one (`XMPP_DOMIAN`). */
function nearMiss(name: string, env: Env): string {
  const known = new Set<string>(settingNames);
  const typo = Object.keys(env).find(
    (other) => !known.has(other) && env[other] !== undefined && editDistance(other, name) <= 2,
  );
  return typo === undefined ? '' : ` (${typo} is set: a typo?)`;
}

/** Levenshtein distance, for spotting typos in setting names. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

function placeAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys.at(-1)!] = value;
}
