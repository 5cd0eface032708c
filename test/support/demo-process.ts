import { spawn } from 'node:child_process';

/**
 * `npm run demo` as a user runs it, with `args` and `env` over this environment (on any free port;
 * the demo's own choice of database unless `env` names one). Resolves with its exit code and
 * everything it printed, stdout and stderr together.
 */
export function runDemo(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const { DATA_DIR: _, DATABASE_URL: __, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/main.ts', ...args], {
      env: { ...inherited, HTTP_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
