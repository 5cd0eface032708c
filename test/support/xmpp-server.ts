import {
  isServerKind,
  type LocalServerOptions,
  type LocalXmppServer,
  type ServerKind,
  SERVER_KINDS,
  startLocalServer,
} from '../../src/demo/local-server.ts';

/**
 * The XMPP server the integration suite runs against: `XMPP_TEST_SERVER=prosody` (the default)
 * or `ejabberd`. Each test file starts its own private instance (src/demo/local-*.ts).
 */
export type XmppServer = LocalXmppServer;
export type XmppServerOptions = LocalServerOptions;

function chosenKind(): ServerKind {
  const value = process.env.XMPP_TEST_SERVER?.trim() || 'prosody';
  if (!isServerKind(value)) {
    throw new Error(`XMPP_TEST_SERVER=${value}: expected one of ${SERVER_KINDS.join(', ')}`);
  }
  return value;
}

export const testServerKind: ServerKind = chosenKind();

export function startXmppServer(options: XmppServerOptions = {}): Promise<XmppServer> {
  return startLocalServer(testServerKind, options);
}

/** Where the two servers differ, as observed on Prosody 0.12 and ejabberd 23.01 (Debian 12). */
export interface ServerTraits {
  /** The name in its XEP-0092 version reply. */
  versionName: string;
  /** The log line of a refused component secret. */
  authFailureLog: RegExp;
  /** Whether it refuses a second connection for a component domain (`conflict`) or accepts it. */
  refusesSecondComponent: boolean;
  /** The stanza error condition it answers a malformed address with. */
  malformedAddress: string;
  /** Whether a client's stanza with an invalid xml:lang (`日本`, a control character) is routed. */
  passesInvalidLang: boolean;
  /** Ample time for a stopped instance to accept components again after start() (tests' deadlines). */
  restartMs: number;
  /** Whether a headline message to a user that does not exist vanishes without an error. */
  dropsHeadlineToNobody: boolean;
  /**
   * Whether it answers a XEP-0012 query to a user's full JID itself rather than route it to the
   * client: ejabberd's mod_last does, with service-unavailable to a requester without a presence
   * subscription.
   */
  answersLastActivityItself: boolean;
}

export const serverTraits: Record<ServerKind, ServerTraits> = {
  prosody: {
    versionName: 'Prosody',
    authFailureLog: /Component authentication failed/,
    refusesSecondComponent: true,
    malformedAddress: 'jid-malformed',
    passesInvalidLang: true,
    restartMs: 2500,
    dropsHeadlineToNobody: true,
    answersLastActivityItself: false,
  },
  ejabberd: {
    versionName: 'ejabberd',
    authFailureLog: /Failed external component handshake authentication/,
    refusesSecondComponent: false,
    malformedAddress: 'bad-request',
    passesInvalidLang: false,
    restartMs: 8000,
    dropsHeadlineToNobody: false,
    answersLastActivityItself: true,
  },
};

export const traits: ServerTraits = serverTraits[testServerKind];
