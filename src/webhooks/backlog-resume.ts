import type { Part } from '../flow/start-order.ts';
import type { Deliveries } from './deliveries.ts';
import type { LogDatabase } from './log-database.ts';

/**
 * The backlog kept in step with the database: once per process, at the first moment the
 * database is there (at start, or when it first comes back), the dispatcher takes up what an
 * earlier run left pending; and each time it comes back, a read of the backlog that failed may
 * go on. Both parts it joins must have started before it.
 */
export function backlogResume(database: LogDatabase, deliveries: Deliveries): Part {
  let resumed = false;
  let detach: (() => void) | undefined;

  return {
    start() {
      const writer = database.open?.writer;
      const dispatcher = deliveries.running?.dispatcher;
      if (!writer || !dispatcher) throw new Error('the backlog resumes after the database and the dispatcher start');
      const resume = () => {
        if (resumed) return;
        resumed = true;
        dispatcher.resume();
      };
      const onUp = () => {
        resume();
        dispatcher.databaseUp();
      };
      writer.on('up', onUp);
      detach = () => writer.off('up', onUp);
      if (writer.up) resume();
    },
    stop() {
      detach?.();
      detach = undefined;
    },
  };
}
