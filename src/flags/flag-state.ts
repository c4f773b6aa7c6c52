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
  if (client === undefined || !ready || client.getFeatureToggleDefinition(name) === undefined) return false;
  return client.isEnabled(name, toUnleashContext(ctx), false);
}

function toUnleashContext(ctx: FlagContext): Context {
  const out: Context = {};
  if (ctx.userId !== undefined) out.userId = ctx.userId;
  if (ctx.sessionId !== undefined) out.sessionId = ctx.sessionId;
  if (ctx.remoteAddress !== undefined) out.remoteAddress = ctx.remoteAddress;
  if (ctx.properties !== undefined) out.properties = ctx.properties;
  return out;
}
