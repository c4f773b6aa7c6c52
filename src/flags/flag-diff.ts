// What a new flag set changes, in the words an operator ramps with: "orders.serve 0 % → 50 %".
// Pure; used by the `flags reloaded` / `flags changed` log lines of both sources.
import { ROLLOUT_PARAMETER } from './flag-file.js';
import { describeFlag } from './flag-state.js';

type Feature = Parameters<typeof describeFlag>[1] & { name: string };

/** "off", "50 %" (one rollout strategy), or "on" (anything else that is enabled). */
function label(def: Feature): string {
  const state = describeFlag(def.name, def);
  if (!state.enabled) return 'off';
  if (state.rolloutPercent !== null) return `${state.rolloutPercent} %`;
  // One rollout strategy whose percentage is no number (a server may send one): say so.
  const rollouts = (def.strategies ?? []).filter((s) => ROLLOUT_PARAMETER[s.name] !== undefined);
  const raw = rollouts.length === 1 ? rollouts[0]!.parameters?.[ROLLOUT_PARAMETER[rollouts[0]!.name]!] : undefined;
  return raw !== undefined ? `rollout ${JSON.stringify(raw)}` : 'on';
}

/**
 * One entry per flag that differs, in the new set's order, then the removed ones:
 * `a 0 % → 50 %`, `b added (on)`, `c removed`, `d changed (strategies/constraints)` when the
 * summary is the same but the definition is not (a new constraint, a user list, …).
 */
export function describeFlagChanges(before: readonly Feature[], after: readonly Feature[]): string[] {
  const old = new Map(before.map((f) => [f.name, f]));
  const out: string[] = [];
  for (const f of after) {
    const prev = old.get(f.name);
    old.delete(f.name);
    if (prev === undefined) {
      out.push(`${f.name} added (${label(f)})`);
      continue;
    }
    const [a, b] = [label(prev), label(f)];
    if (a !== b) out.push(`${f.name} ${a} → ${b}`);
    else if (JSON.stringify(prev) !== JSON.stringify(f)) out.push(`${f.name} changed (${b}; strategies, constraints or variants differ)`);
  }
  for (const name of old.keys()) out.push(`${name} removed`);
  return out;
}
