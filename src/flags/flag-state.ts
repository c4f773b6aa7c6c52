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
 * The SDK never throws for a validated set; if it ever does, the flag is off for this
 * request (legacy answers) and `onThrow` hears why: the request must not fail for it.
 */
export function evaluate(client: Unleash | undefined, ready: boolean, name: string, ctx: FlagContext, onThrow?: (err: unknown) => void): boolean {
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
  try {
    return client.isEnabled(name, toUnleashContext(ctx), false);
  } catch (err) {
    onThrow?.(err);
    return false;
  }
}

const CONSTANT = new WeakMap<FeatureDefinition, boolean | null>();

/**
 * true/false when unleash-client's isEnabled gives that answer for every context, undefined
 * when it may depend on the context (or on other flags, or has side effects): then the SDK
 * decides. Pure, cached per definition object (the SDK replaces objects on every change).
 * Proven equal to isEnabled by a property test (test/unit/flags/constant-verdict.test.ts).
 */
export function constantVerdict(def: FeatureDefinition): boolean | undefined {
  let v = CONSTANT.get(def);
  if (v === undefined) {
    v = computeConstant(def);
    CONSTANT.set(def, v);
  }
  return v ?? undefined;
}

type StrategyDefinition = NonNullable<FeatureDefinition['strategies']>[number];

function computeConstant(def: FeatureDefinition): boolean | null {
  if (def.impressionData) return null; // impression events must fire from the SDK
  // Parents are evaluated first (with the child's context, and their own side effects).
  if ((def.dependencies ?? []).length > 0) return null;
  if (def.enabled === false) return false;
  if (def.enabled !== true) return null;
  const strategies = def.strategies;
  if (!Array.isArray(strategies)) return null;
  if (strategies.length === 0) return true; // the SDK: no strategies ⇒ the toggle's own state
  // A verdict only when every strategy is plain: anything else (constraints, segments,
  // variants, an unknown or host-dependent strategy) is the SDK's to judge, warnings and all.
  let allOff = true;
  let anyOn = false;
  for (const s of strategies) {
    const v = plainStrategyVerdict(s);
    if (v === 'sdk') return null;
    if (v === true) anyOn = true;
    if (v !== false) allOff = false;
  }
  if (anyOn) return true;
  return allOff ? false : null;
}

/**
 * The result of one strategy with no constraints, segments or variants, as the built-in
 * strategies of unleash-client 6 compute it: true/false when the same for every context,
 * null when the context decides, 'sdk' when this function does not model it.
 */
function plainStrategyVerdict(s: StrategyDefinition): boolean | null | 'sdk' {
  if ((s.constraints ?? []).length > 0) return 'sdk';
  if (((s as { segments?: unknown[] }).segments ?? []).length > 0) return 'sdk';
  if ((s.variants ?? []).length > 0) return 'sdk';
  const p = s.parameters as Record<string, unknown> | undefined;
  if (p === undefined || p === null || typeof p !== 'object') return 'sdk';
  switch (s.name) {
    case 'default':
      return true;
    case 'flexibleRollout': {
      // enabled ⇔ rollout > 0 && hash(stickiness value) ∈ 1..100 ≤ rollout; default and random
      // stickiness always find a value (a random one when the context has no id).
      const rollout = Number(p.rollout);
      if (!(rollout > 0)) return false;
      const stickiness = p.stickiness || 'default';
      return rollout >= 100 && (stickiness === 'default' || stickiness === 'random') ? true : null;
    }
    case 'gradualRolloutRandom': {
      // enabled ⇔ percentage ≥ a random integer in 1..100
      const percentage = Number(p.percentage);
      if (percentage >= 100) return true;
      return percentage >= 1 ? null : false;
    }
    case 'gradualRolloutUserId':
    case 'gradualRolloutSessionId':
      return Number(p.percentage) > 0 ? null : false;
    case 'userWithId':
      return p.userIds ? null : false;
    case 'remoteAddress':
      return p.IPs ? null : false;
    default:
      return 'sdk';
  }
}

function toUnleashContext(ctx: FlagContext): Context {
  const out: Context = {};
  if (ctx.userId !== undefined) out.userId = ctx.userId;
  if (ctx.sessionId !== undefined) out.sessionId = ctx.sessionId;
  if (ctx.remoteAddress !== undefined) out.remoteAddress = ctx.remoteAddress;
  if (ctx.properties !== undefined) out.properties = ctx.properties;
  return out;
}
