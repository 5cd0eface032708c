import type { BearerAuth } from '../auth/bearer-auth.ts';
import type { CorsPolicy } from '../http/cors.ts';
import type { Logger } from '../log.ts';
import type { XmppCore } from '../xmpp/core.ts';

/** What the /rest handlers need: the core, the token check and their limits. */
export interface RestContext {
  core: XmppCore;
  auth: BearerAuth;
  cors: CorsPolicy;
  log: Logger;
  maxBodyBytes: number;
  iqTimeout: { defaultMs: number; maxMs: number };
  /** Result messages an archive query may collect into its reply (REST_MAX_ARCHIVE_RESULTS). */
  maxArchiveResults: number;
}
