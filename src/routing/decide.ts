// Pure decisions on the hot path, tested as tables: should this request be mirrored, and
// may the agent serve it. Inputs are plain values; nothing here does I/O.
import { SAFE_METHODS } from '../config/schema.js';
import { shouldSample } from '../shadow/sample.js';

export interface ShadowInputs {
  route: string;
  method: string;
  sideEffects: boolean;
  /** The route's shadow flag: undefined when the flag source does not define it. */
  flag: boolean | undefined;
  percent: number;
  userKey: string | undefined;
  circuitOpen: boolean;
}

export type ShadowDecision = { mirror: true } | { mirror: false; reason: 'side_effects' | 'flag_off' | 'sampled_out' | 'circuit_open' };

export function decideShadow(i: ShadowInputs, random: () => number = Math.random): ShadowDecision {
  if (!SAFE_METHODS.has(i.method) && !i.sideEffects) return { mirror: false, reason: 'side_effects' };
  if (i.flag === false) return { mirror: false, reason: 'flag_off' };
  if (!shouldSample(i.percent, i.route, i.userKey, random)) return { mirror: false, reason: 'sampled_out' };
  if (i.circuitOpen) return { mirror: false, reason: 'circuit_open' };
  return { mirror: true };
}

export interface ServeInputs {
  /** The route's serve flag for this request; unknown flags are false (legacy-only is the safe default). */
  flag: boolean;
  /** The per-pod kill switch, or the route's kill flag on for this request. */
  killed: boolean;
  demoted: boolean;
  /** After a reset: shadow comparisons refill the guardrail window before the agent serves. */
  probation: boolean;
  circuitOpen: boolean;
}

export type ServeDecision = { serve: true } | { serve: false; reason: 'flag_off' | 'killed' | 'demoted' | 'probation' | 'circuit_open' };

export function decideServe(i: ServeInputs): ServeDecision {
  if (!i.flag) return { serve: false, reason: 'flag_off' };
  if (i.killed) return { serve: false, reason: 'killed' };
  if (i.demoted) return { serve: false, reason: 'demoted' };
  if (i.probation) return { serve: false, reason: 'probation' };
  if (i.circuitOpen) return { serve: false, reason: 'circuit_open' };
  return { serve: true };
}
