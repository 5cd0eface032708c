import { Gauge, type Registry } from 'prom-client';
import { GATEWAY_ROLES, type GatewayRole } from '../ha/role.ts';
import { METRIC_PREFIX, scrapedGauge } from './metrics.ts';

/**
 * `stanza_gateway_role{role}`: 1 for this process's role (single, leader, standby,
 * stepped-down), 0 for the others, so that a dashboard sums the leaders of a domain (exactly 1).
 */
export function registerRoleMetrics(
  registry: Registry,
  role: () => GatewayRole,
  /** With HA_ELECTION: whether the election's last call to the database succeeded. */
  electionUp?: () => boolean,
): void {
  new Gauge({
    name: `${METRIC_PREFIX}role`,
    help: 'This gateway process is in this role (HA_ELECTION): 1; the other roles: 0.',
    labelNames: ['role'],
    registers: [registry],
    collect() {
      const current = role();
      for (const each of GATEWAY_ROLES) this.set({ role: each }, each === current ? 1 : 0);
    },
  });
  if (electionUp) {
    scrapedGauge(
      registry,
      'leader_lease_up',
      '1 while the leader election reaches its database (HA_ELECTION); a standby at 0 cannot take over.',
      () => (electionUp() ? 1 : 0),
    );
  }
}
