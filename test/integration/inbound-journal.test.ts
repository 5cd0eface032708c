import { createTestDatabase } from '../support/postgres.ts';
import { journalSuite } from '../support/journal-suite.ts';

// The inbound journal on real Postgres: a private database for this file, dropped at the end.
journalSuite(async () => {
  const db = await createTestDatabase();
  return { url: db.url, drop: () => db.drop() };
});
