import { type Config, ConfigError, loadConfig } from './config.ts';
import { readConfigFile } from './config-file.ts';

export type CliResult = { kind: 'help' } | { kind: 'run'; config: Config };

/**
 * Reads the command line (`--help`, `--config FILE`) and the environment into a Config.
 * Throws ConfigError for anything wrong, so main can print one line and exit 2.
 */
export function parseCommandLine(argv: readonly string[], env: Record<string, string | undefined>): CliResult {
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    if (arg === '--config') {
      configFile = argv[i + 1];
      i += 1;
      if (configFile === undefined) throw new ConfigError('--config', 'needs a file name');
    } else if (arg.startsWith('--config=')) {
      configFile = arg.slice('--config='.length);
    } else {
      throw new ConfigError(arg, 'is not an option; see --help');
    }
  }
  const fromFile = configFile === undefined ? {} : readConfigFile(configFile);
  const fromEnv = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  return { kind: 'run', config: loadConfig({ ...fromFile, ...fromEnv }) };
}
