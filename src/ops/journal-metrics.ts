import type { Registry } from 'prom-client';
import type { InboundJournal } from '../journal/inbound-journal.ts';
import { scrapedGauge } from './metrics.ts';

/**
 * The inbound journal's health (INBOUND_JOURNAL_DAYS), read from its status() when scraped: a
 * journal that is down or losing rows leaves gaps a resuming subscriber cannot see.
 */
export function registerJournalMetrics(registry: Registry, journal: InboundJournal): void {
  const gauge = (name: string, help: string, read: () => number) => scrapedGauge(registry, name, help, read);
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
