import { type Config, ConfigError, type ConfigProblem, loadConfig } from './config.ts';
import { readConfigFile } from './config-file.ts';

export type CliResult = { kind: 'help' } | { kind: 'run'; config: Config };

/**
 * Reads the command line (`--help`, `--config FILE`) and the environment into a Config.
 * Throws one ConfigError listing everything wrong, so main can print it and exit 2.
 */
export function parseCommandLine(argv: readonly string[], env: Record<string, string | undefined>): CliResult {
  const problems: ConfigProblem[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--config') {
      configFile = argv[i + 1];
      i += 1;
      if (configFile === undefined) problems.push({ setting: '--config', message: 'needs a file name' });
    } else if (arg.startsWith('--config=')) {
      configFile = arg.slice('--config='.length);
    } else {
      problems.push({ setting: arg, message: 'is not an option; see --help' });
    }
  }
  const file = configFile === undefined ? { settings: {}, problems: [] } : readConfigFile(configFile);
  problems.push(...file.problems);
  const fromEnv = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  let config: Config | undefined;
  try {
    config = loadConfig({ ...file.settings, ...fromEnv });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (config === undefined || problems.length > 0) throw new ConfigError(problems);
  return { kind: 'run', config };
}
