import { deliveryLogSuite } from '../support/delivery-log-suite.ts';
import { createTestDatabase } from '../support/postgres.ts';

// The delivery-log service API on real Postgres (a database of this file's own).
deliveryLogSuite(createTestDatabase);
