import type { Context, Unleash } from 'unleash-client';
import { ROLLOUT_PARAMETER, parsePercent } from './flag-file.js';
import type { FlagContext, FlagState } from './source.js';

type FeatureDefinition = NonNullable<ReturnType<Unleash['getFeatureToggleDefinition']>>;

/** Pure: what `state()` reports for a definition (undefined ⇒ unknown flag). */
export function describeFlag(name: string, def: FeatureDefinition | undefined): FlagState {
  if (def === undefined) return { name, known: false, enabled: false, rolloutPercent: null, strategies: [] };
  const strategies = def.strategies ?? [];
  const rollouts = strategies.filter((s) => ROLLOUT_PARAMETER[s.name] !== undefined);
  const single = rollouts.length === 1 ? rollouts[0] : undefined;
  const param = single === undefined ? undefined : ROLLOUT_PARAMETER[single.name];
  return {
    name,
    known: true,
    enabled: def.enabled === true,
    rolloutPercent: single !== undefined && param !== undefined ? parsePercent(single.parameters?.[param]) : null,
    strategies: strategies.map((s) => s.name),
  };
}

/**
 * Evaluates through unleash-client only for a known flag on a ready client: the SDK warns on
 * every call made before it is ready, and an unknown flag is off by our contract anyway.
 */
export function evaluate(client: Unleash | undefined, ready: boolean, name: string, ctx: FlagContext): boolean {
  if (client === undefined || !ready) return false;
  const def = client.getFeatureToggleDefinition(name);
  if (def === undefined) return false;
  // Hot path: most flags, most of the time, give the same answer for everyone (off, on for
  // all, 0 % or 100 %). Those skip the strategy engine; the usage count still goes to Unleash.
  const constant = constantVerdict(def);
  if (constant !== undefined) {
    client.count(name, constant);
    return constant;
  }
  return client.isEnabled(name, toUnleashContext(ctx), false);
}

const CONSTANT = new WeakMap<FeatureDefinition, boolean | null>();

/** true/false when the flag's answer cannot depend on the context; undefined otherwise. Pure, cached per definition object. */
export function constantVerdict(def: FeatureDefinition): boolean | undefined {
  let v = CONSTANT.get(def);
  if (v === undefined) {
    v = computeConstant(def);
    CONSTANT.set(def, v);
  }
  return v ?? undefined;
}

function computeConstant(def: FeatureDefinition): boolean | null {
  if (def.impressionData) return null; // impression events must fire from the SDK
  if (def.enabled !== true) return false;
  const strategies = def.strategies ?? [];
  if (strategies.length === 0) return null;
  const unconditional = (s: (typeof strategies)[number]) =>
    (s.constraints ?? []).length === 0 && ((s as { segments?: unknown[] }).segments ?? []).length === 0 && (s.variants ?? []).length === 0;
  const rollout = (s: (typeof strategies)[number]) => (s.name === 'flexibleRollout' ? parsePercent(s.parameters?.rollout) : null);
  if (strategies.some((s) => unconditional(s) && (s.name === 'default' || rollout(s) === 100))) return true;
  if (strategies.every((s) => rollout(s) === 0)) return false;
  return null;
}

function toUnleashContext(ctx: FlagContext): Context {
  const out: Context = {};
  if (ctx.userId !== undefined) out.userId = ctx.userId;
  if (ctx.sessionId !== undefined) out.sessionId = ctx.sessionId;
  if (ctx.remoteAddress !== undefined) out.remoteAddress = ctx.remoteAddress;
  if (ctx.properties !== undefined) out.properties = ctx.properties;
  return out;
}
