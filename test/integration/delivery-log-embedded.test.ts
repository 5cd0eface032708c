import { deliveryLogSuite } from '../support/delivery-log-suite.ts';

// The same suite on the embedded default: DATABASE_URL unset, PGlite under a temp DATA_DIR.
deliveryLogSuite(async () => ({ url: undefined, drop: async () => {} }));
