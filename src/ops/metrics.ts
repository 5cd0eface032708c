import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { XmppCore } from '../xmpp/core.ts';

/**
 * Prometheus metrics. One registry per app (tests run several apps in one process). The core's
 * hot path only increments counters through its events; gauges are read when scraped.
 * Webhooks and GraphQL register their own metrics on the same registry.
 */
export const METRIC_PREFIX = 'stanza_gateway_';

export function createMetrics(core: XmppCore): Registry {
  const registry = new Registry();

  const stanzas = new Counter({
    name: `${METRIC_PREFIX}stanzas_total`,
    help: 'Stanzas through the XMPP link, by direction (in, out) and kind (message, presence, iq).',
    labelNames: ['direction', 'kind'] as const,
    registers: [registry],
  });
  core.events.on('stanza', (direction, kind) => stanzas.inc({ direction, kind }));

  const iqDuration = new Histogram({
    name: `${METRIC_PREFIX}iq_duration_seconds`,
    help: 'Time from an iq request to its reply or failure, by outcome (result, error, iq-timeout, link-down, …).',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  core.events.on('iq', (seconds, outcome) => iqDuration.observe({ outcome }, seconds));

  new Gauge({
    name: `${METRIC_PREFIX}iq_pending`,
    help: 'Iq requests waiting for their reply.',
    registers: [registry],
    collect() {
      this.set(core.status().pendingIqs);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}send_queue`,
    help: 'Outbound stanzas accepted but not yet written to the XMPP connection.',
    registers: [registry],
    collect() {
      this.set(core.status().queuedSends);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}send_unacknowledged`,
    help: 'Outbound stanzas written to the XMPP connection and not yet acknowledged by the server (at most XMPP_ACK_WINDOW).',
    registers: [registry],
    collect() {
      this.set(core.status().unacknowledgedSends);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}link_up`,
    help: '1 while the XMPP component link is online.',
    registers: [registry],
    collect() {
      this.set(core.online ? 1 : 0);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}link_reconnects`,
    help: 'Times the XMPP link came back after going down, since start.',
    registers: [registry],
    collect() {
      this.set(core.status().link.reconnects);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}link_relayed`,
    help: 'Stanzas that reached this gateway while another connection served the domain, relayed to it, since start.',
    registers: [registry],
    collect() {
      this.set(core.linkGuard.relayed);
    },
  });
  return registry;
}

/** A gauge read from `read()` each time /metrics is scraped: the status it shows is never stale. */
export function scrapedGauge(registry: Registry, name: string, help: string, read: () => number): Gauge {
  return new Gauge({
    name: `${METRIC_PREFIX}${name}`,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
