import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, type ConfigProblem, editDistance, settingNames } from './config.ts';
import { type Setting, type SettingName, settings as table } from './settings.ts';

/**
 * `--config FILE`: the same settings as the environment, under the same names, in JSON or YAML
 * (by extension: .json, .yaml, .yml). Values may be strings, numbers, booleans or, for the
 * comma-separated settings, lists; a structured setting (API_SCOPED_TOKENS) takes its list as it is. The environment overrides the file. A file that cannot be
 * read or parsed throws; wrong keys and values come back as problems, to be reported with the
 * rest of the configuration's.
 */
export function readConfigFile(path: string): { settings: Record<string, string>; problems: ConfigProblem[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('--config', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const yaml = ['.yaml', '.yml'].includes(extname(path).toLowerCase());
  let data: unknown;
  try {
    data = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    // Only where, never what: parser messages quote the input, and the input holds secrets.
    throw new ConfigError('--config', `${path} is not valid ${yaml ? 'YAML' : 'JSON'}${whereItFailed(error)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError('--config', `${path} must hold a mapping of setting names to values`);
  }
  const known = new Set<string>(settingNames);
  const settings: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  for (const [name, value] of Object.entries(data)) {
    if (!known.has(name)) problems.push({ setting: name, message: `is not a setting (in ${path})${closest(name)}` });
    // A structured setting (API_SCOPED_TOKENS) is handed to its parser as JSON, as the environment gives it.
    else if (isStructured(name) && typeof value === 'object' && value !== null) settings[name] = JSON.stringify(value);
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) settings[name] = value.join(',');
    else if (['string', 'number', 'boolean'].includes(typeof value)) settings[name] = String(value);
    else problems.push({ setting: name, message: `must be a string, a number or a list of strings (in ${path})` });
  }
  return { settings, problems };
}

function isStructured(name: string): boolean {
  const setting: Setting = table[name as SettingName];
  return setting.structured === true;
}

function closest(name: string): string {
  const best = settingNames.find((known) => editDistance(known, name.toUpperCase()) <= 2);
  return best === undefined ? '; see --help' : `; did you mean ${best}?`;
}

function whereItFailed(error: unknown): string {
  const yamlPos = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
  if (yamlPos) return ` (line ${yamlPos.line}, column ${yamlPos.col})`;
  const jsonPos = /at position (\d+)/.exec((error as Error).message)?.[1];
  return jsonPos === undefined ? '' : ` (at character ${jsonPos})`;
}
