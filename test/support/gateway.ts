import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { buildApp, type App } from '../../src/server.ts';
import type { XmppServer } from './xmpp-server.ts';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

export interface TestGateway {
  app: App;
  config: Config;
  url: string;
  token: string;
  waitOnline(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The gateway built in-process exactly as main.ts builds it, from environment-style settings,
 * on an ephemeral port, connected to the given Prosody (or to the fake link of fake-link.ts).
 */
/** What the gateway needs of an XMPP server: its component endpoint. */
export type ComponentEndpoint = Pick<
  XmppServer,
  'componentService' | 'componentServices' | 'componentDomain' | 'componentSecret'
>;

/** The settings of a gateway for this Prosody, as environment variables; `env` overrides. */
export function testEnv(prosody: ComponentEndpoint, env: Record<string, string> = {}): Record<string, string> {
  return {
    // Each component domain's own endpoint (ejabberd has a listener per domain).
    XMPP_SERVICE: prosody.componentServices[env.XMPP_DOMAIN ?? prosody.componentDomain] ?? prosody.componentService,
    XMPP_DOMAIN: prosody.componentDomain,
    XMPP_SECRET: prosody.componentSecret,
    API_TOKENS: TEST_TOKEN,
    HTTP_PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    XMPP_RECONNECT_MIN_MS: '100',
    XMPP_RECONNECT_MAX_MS: '1000',
    ...env,
  };
}

export async function startGateway(prosody: ComponentEndpoint, env: Record<string, string> = {}): Promise<TestGateway> {
  const config = loadConfig(testEnv(prosody, env));
  const app = buildApp(config, createLogger(config.logLevel));
  const { url } = await app.start();
  const gateway: TestGateway = {
    app,
    config,
    url,
    token: TEST_TOKEN,
    async waitOnline(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!app.core.online) {
        if (Date.now() > deadline) throw new Error('the gateway did not come online');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: () => app.stop(),
  };
  try {
    await gateway.waitOnline();
  } catch (error) {
    // Nobody else holds it yet: left running, it would keep the test file's process alive.
    await app.stop();
    throw error;
  }
  return gateway;
}
