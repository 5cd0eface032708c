import { Gauge, type Registry } from 'prom-client';
import type { InboundJournal } from '../journal/inbound-journal.ts';
import { METRIC_PREFIX } from './metrics.ts';

/**
 * The inbound journal's health (INBOUND_JOURNAL_DAYS), read from its status() when scraped: a
 * journal that is down or losing rows leaves gaps a resuming subscriber cannot see.
 */
export function registerJournalMetrics(registry: Registry, journal: InboundJournal): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('journal_up', '1 while the inbound journal database takes writes.', () =>
    journal.status().state === 'up' ? 1 : 0,
  );
  gauge(
    'journal_buffered_writes',
    'Inbound journal rows waiting in memory (batch being written included).',
    () => journal.status().buffered,
  );
  gauge(
    'journal_lost_rows',
    'Inbound journal rows lost since start (outage longer than INBOUND_JOURNAL_BUFFER_MAX, or refused).',
    () => journal.status().lostRows,
  );
}
