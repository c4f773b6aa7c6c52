// The three flags each route has, and what the rollout gauge shows for each. Pure, so the
// serve path (whoever owns it) and the admin view compute it the same way.
import type { FlagState } from './source.js';

/** shadow: mirror to the agent; serve: the agent answers; kill: fleet-wide stop (legacy answers). */
export const ROUTE_FLAG_KINDS = ['shadow', 'serve', 'kill'] as const;
export type RouteFlagKind = (typeof ROUTE_FLAG_KINDS)[number];

/**
 * shadowgate_flag_rollout_percent for one route flag: 0 when off, the rollout when one
 * strategy has it, 100 when on otherwise. An undefined shadow flag leaves the route's static
 * shadow.percent in charge; an undefined serve or kill flag has no effect (0).
 */
export function effectivePercent(state: FlagState | undefined, kind: RouteFlagKind, shadowPercent: number): number {
  if (!state || !state.known) return kind === 'shadow' ? shadowPercent : 0;
  if (!state.enabled) return 0;
  return state.rolloutPercent ?? 100;
}
