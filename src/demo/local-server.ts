/**
 * What the demo, the tests and the benchmark need from a throwaway XMPP server, whichever it
 * is: generated config in a temp dir, loopback only, ports chosen by the OS (never XMPP's
 * defaults), accounts, component secrets, stop/start, its log. Each server has its own
 * launcher (local-prosody.ts, local-ejabberd.ts); `startLocalServer` picks one by kind.
 */
export const SERVER_KINDS = ['prosody', 'ejabberd'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

export interface LocalServerOptions {
  /** Accounts on the server's host (`localhost`) and their passwords. */
  users?: Record<string, string>;
  componentSecret?: string;
  /** More component domains and their secrets (benchmarks use a sink component). */
  extraComponents?: Record<string, string>;
  /** Keep messages for accounts that are offline, as a production server does. */
  offlineMessages?: boolean;
}

export interface LocalXmppServer {
  kind: ServerKind;
  host: string;
  componentDomain: string;
  componentSecret: string;
  componentService: string;
  /**
   * The endpoint for each component domain, extra ones included. Prosody has one component port
   * for all; ejabberd gets a listener per domain, because it gives a connection every domain its
   * listener lists (its traffic would be spread over the other domains' connections).
   */
  componentServices: Readonly<Record<string, string>>;
  c2sService: string;
  c2sPort: number;
  componentPort: number;
  dir: string;
  /** Stops the server (the ports stay reserved for a later start()). */
  stop(): Promise<void>;
  /** Sends a signal to the running server: SIGKILL (a crash), SIGSTOP/SIGCONT (a hang). */
  signal(signal: NodeJS.Signals): void;
  /** The server's process while it runs (a test waits for a signal to take effect). */
  readonly pid: number | undefined;
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  dispose(): Promise<void>;
  log(): Promise<string>;
}

export function isServerKind(value: string): value is ServerKind {
  return (SERVER_KINDS as readonly string[]).includes(value);
}

export async function startLocalServer(kind: ServerKind, options: LocalServerOptions = {}): Promise<LocalXmppServer> {
  if (kind === 'ejabberd') return (await import('./local-ejabberd.ts')).startEjabberd(options);
  return (await import('./local-prosody.ts')).startProsody(options);
}
