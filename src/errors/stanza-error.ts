/** RFC 6120 §8.3.2: how the receiver of an error should react to it. */
export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';

export const stanzaErrorTypes: readonly StanzaErrorType[] = ['auth', 'cancel', 'continue', 'modify', 'wait'];

/** The three parts every XMPP error carries, whether it came from the wire or from us. */
export interface StanzaErrorValue {
  type: StanzaErrorType;
  condition: string;
  text?: string | undefined;
}

export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
export const NS_STREAMS = 'urn:ietf:params:xml:ns:xmpp-streams';
