import pg from 'pg';

/**
 * `--replicas` needs a Postgres the replicas share (for the election and the delivery log): the
 * demo asks it once before starting anything, so that a wrong DATABASE_URL is one clear line
 * rather than replicas failing and being restarted over and over.
 * Returns why it does not answer, or undefined when it does.
 */
export async function postgresProblem(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The URL without its password, for messages. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(DATABASE_URL is not a URL)';
  }
}
