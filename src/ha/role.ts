/**
 * What a gateway process is to its component domain, for /readyz, /healthz, `status` and the
 * `stanza_gateway_role` metric:
 * - `single`: HA_ELECTION is off; it serves alone, as always;
 * - `leader`: it holds the lease, so the link and the webhook deliveries are its;
 * - `standby`: another gateway holds the lease; this one answers 503 and waits to take over;
 * - `stepped-down`: it lost the lease (or, elected, could not start its journal or delivery log)
 *   and closed its link; it exits.
 */
export const GATEWAY_ROLES = ['single', 'leader', 'standby', 'stepped-down'] as const;
export type GatewayRole = (typeof GATEWAY_ROLES)[number];

/** The roles in which a gateway serves the APIs. */
export function serves(role: GatewayRole): boolean {
  return role === 'single' || role === 'leader';
}
