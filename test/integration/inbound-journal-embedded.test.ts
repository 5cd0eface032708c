import { journalSuite } from '../support/journal-suite.ts';

// The same suite on the embedded database: DATABASE_URL unset, PGlite under a temp DATA_DIR.
journalSuite(async () => ({ url: undefined, drop: async () => {} }));
