import type { LeaderElection } from '../ha/leader-election.ts';
import type { ReadinessCheck } from './readiness.ts';

/**
 * A standby's readiness check (HA_ELECTION): it reaches the database it would take over
 * through. A standby that cannot reach it looks like any other standby otherwise, and would
 * never take over.
 */
export function electionCheck(election: LeaderElection): ReadinessCheck {
  return {
    name: 'election',
    check: () =>
      Promise.resolve(
        election.lastError === undefined ? undefined : `leader lease database unreachable: ${election.lastError}`,
      ),
  };
}
