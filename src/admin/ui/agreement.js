// @ts-check
// The agreement numbers a route has, each said with the window it is over, so the page shows
// one agreement (recent window, with lifetime) and the guardrail's own verdict apart from it.
import { count, pct } from './format.js';

/** @typedef {import('./api-types.js').RouteView} RouteView */

/**
 * match / (match + mismatch) over the route's recent results window and over its lifetime.
 * @param {RouteView} r
 */
export function agreementSummary(r) {
  const w = r.window;
  const compared = w ? w.match + w.mismatch : 0;
  const c = r.counts ?? {};
  const lifetimeCompared = (c.match ?? 0) + (c.mismatch ?? 0);
  const lifetime = lifetimeCompared === 0 ? null : (c.match ?? 0) / lifetimeCompared;
  const value = compared === 0 ? null : (w?.match ?? 0) / compared;
  return {
    value,
    compared,
    results: w?.total ?? 0,
    lifetime,
    lifetimeCompared,
    /** Under the number: which window, and the lifetime figure. */
    detail: `last ${count(w?.total ?? 0)} result${w?.total === 1 ? '' : 's'} (${count(compared)} compared) · lifetime ${pct(lifetime)} of ${count(lifetimeCompared)}`,
    /** Tooltip: the definition. */
    title: 'match / (match + mismatch). Recent window: the route\'s last samples.window results (agent errors and legacy errors count as results but not as compared). Lifetime: since this pod started.',
  };
}

/**
 * The guardrail's verdict over its own window: warming up (too few samples to judge), passes
 * or fails, with the numbers it decides on and their limits.
 * @param {RouteView} r
 * @returns {{ state: 'none' | 'warming' | 'passes' | 'fails', label: string, detail: string, title: string }}
 */
export function guardrailSummary(r) {
  const g = r.guardrail;
  if (!g) return { state: 'none', label: '—', detail: '', title: '' };
  // The server's own verdict (a statistical rule: the Wilson bounds, not the observed ratio) when it sends one.
  const agreementFails = g.trip !== undefined ? g.trip !== null : g.comparisons >= g.minSamples && g.agreement !== null && g.agreement < g.minAgreement;
  const errorsFail = g.trip === undefined && g.calls >= g.minSamples && g.errorRate !== null && g.errorRate > g.maxErrorRate;
  const state = agreementFails || errorsFail ? 'fails'
    : g.comparisons < g.minSamples && g.calls < g.minSamples ? 'warming' : 'passes';
  const label = state === 'fails' ? 'fails' : state === 'warming' ? `warming up ${count(Math.max(g.comparisons, g.calls))}/${count(g.minSamples)}` : 'passes';
  const detail = `agreement ${pct(g.agreement)} (≥ ${pct(g.minAgreement)}) · errors ${pct(g.errorRate)} (≤ ${pct(g.maxErrorRate)})`;
  const title = `The guardrail decides on its own window: the last ${count(g.window)} comparisons and agent calls `
    + `(now ${count(g.comparisons)} comparisons, ${count(g.calls)} calls). It judges once it has ${count(g.minSamples)}; `
    + 'a serving route that fails is demoted, a route the agent does not serve only gets a warning. '
    + `It fails when even the optimistic end of the data is bad: the Wilson upper bound of agreement (at ${pct(g.confidence ?? 0.95)} confidence) below the minimum, or the lower bound of the error rate above the maximum${g.trip ? ` (now: ${g.trip})` : ''}.`;
  return { state, label, detail, title };
}
