import type { GatewayError } from '../../errors/gateway-error.ts';
import type { ParseOptions, Stanza } from '../../xmpp/codec/index.ts';

/**
 * A body format of the /rest contract. Today: `application/xmpp+xml` both ways, and JSON for
 * error bodies. mod_rest's JSON, form and text bodies plug in here as further formats, each
 * adding `decodeStanza`/`encodeStanza`, without touching the handlers.
 */
export interface RestFormat {
  mediaType: string;
  /** Request bodies in this format become stanzas through the one codec. */
  decodeStanza?: (body: Buffer, options: ParseOptions) => Stanza;
  /** Successful replies (an iq result) in this format. */
  encodeStanza?: (stanza: Stanza) => string;
  encodeError: (error: GatewayError) => string;
}
