// @ts-check
// The six route modes, what each means for a client, and why a route is in the mode it is in
// (which kill, the demotion reason, the probation's progress). Pure: text from a route view.
import { ago, clock, count, duration, pct } from './format.js';

/** @typedef {import('./api-types.js').RouteView} RouteView */
/** @typedef {import('./api-types.js').RouteMode} RouteMode */

/** In the order a route moves through them; the legend lists them so. */
export const MODES = /** @type {const} */ ([
  { mode: 'shadow', label: 'shadow', text: 'Legacy answers every client. The agent gets a copy of each request and is only compared.' },
  { mode: 'conditional', label: 'conditional', text: 'The serve flag sends a share of users to the agent; an answer that fails the gates, errs or times out is served by legacy.' },
  { mode: 'full', label: 'full', text: 'The serve flag sends every user to the agent; legacy stays the fallback and is still compared.' },
  { mode: 'probation', label: 'probation', text: 'After a reset or a cool-down: legacy answers everyone while shadow comparisons refill the guardrail window; the agent serves again once the window passes.' },
  { mode: 'demoted', label: 'demoted', text: 'The guardrail took the agent off the serving path (agreement or error rate past its limit). Shadowing continues; the cool-down or Reset lifts it, into probation.' },
  { mode: 'killed', label: 'killed', text: 'A kill is in force: the kill switch on this pod (Kill button) or the route\'s kill flag on for everyone. Legacy answers all; shadowing continues.' },
]);

/** @param {string} mode */
export function modeInfo(mode) {
  return MODES.find((m) => m.mode === mode) ?? { mode, label: mode, text: 'Unknown mode.' };
}

/**
 * @typedef {object} StatusLine
 * @property {'killed' | 'demoted' | 'probation' | 'warn' | 'info'} kind
 * @property {string} text
 */

/**
 * Why the route is in its mode, and what else bears on who answers: the kill in force (local or
 * flag), the demotion, the probation's progress, an open circuit, a serve flag the source lacks.
 * @param {RouteView} r
 * @param {number} [now]
 * @returns {StatusLine[]}
 */
export function statusLines(r, now = Date.now()) {
  /** @type {StatusLine[]} */
  const lines = [];
  const kill = r.flags?.kill;
  if (r.killed) {
    lines.push({ kind: 'killed', text: `Killed on this pod by ${r.killed.by} ${ago(r.killed.at, now)}${r.killed.why ? `: ${r.killed.why}` : ''}` });
  }
  if (kill && kill.effectivePercent > 0) {
    lines.push(kill.effectivePercent >= 100
      ? { kind: 'killed', text: `Killed by flag ${kill.name} (on for everyone, on every pod)` }
      : { kind: 'warn', text: `Kill flag ${kill.name} on for ${kill.effectivePercent}% of requests: those are served by legacy` });
  }
  const g = r.guardrail;
  if (r.demotion) {
    const since = r.demotion.since ? ` ${ago(r.demotion.since, now)}` : '';
    const lift = g && g.coolDownMs > 0 ? `cool-down ${duration(g.coolDownMs)}, then probation` : 'until Reset (no cool-down)';
    lines.push({ kind: 'demoted', text: `Demoted by the guardrail${since}: ${r.demotion.reason ?? 'limit crossed'} · ${lift}` });
  }
  if (r.probation) {
    // What ends it: minSamples comparisons in the guardrail window, and the window showing the
    // agent good (the server sends the Wilson lower bound it waits for).
    const bound = g && g.agreementLower !== undefined && g.agreementLower !== null ? ` (lower bound ${pct(g.agreementLower)})` : '';
    const needs = !g ? '' : g.agreementLower !== undefined ? `the lower bound ≥ ${pct(g.minAgreement)}` : `≥ ${pct(g.minAgreement)}`;
    const progress = !g ? ''
      : g.comparisons < g.minSamples ? ` · ${count(g.comparisons)} of ${count(g.minSamples)} comparisons so far; serves again if agreement ≥ ${pct(g.minAgreement)}`
      : ` · agreement ${pct(g.agreement)}${bound} over ${count(g.comparisons)} comparisons, needs ${needs}`;
    lines.push({ kind: 'probation', text: `On probation since ${clock(r.probation.since)} (${r.probation.by}${r.probation.why ? `: ${r.probation.why}` : ''})${progress}` });
  }
  if (r.circuit && r.circuit !== 'closed') {
    lines.push({ kind: 'warn', text: `Agent circuit ${r.circuit}: the agent is skipped (no shadows, no serving) until a probe succeeds` });
  }
  // A missing shadow flag is ordinary (shadow.percent decides); a missing serve flag means no one is served.
  const serve = r.flags?.serve;
  if (serve && !serve.known) lines.push({ kind: 'info', text: `No serve flag ${serve.name} in the flag source: shadow only` });
  return lines;
}

/**
 * What the Unkill button can do: only the local kill; a kill flag is turned off in the flag source.
 * @param {RouteView} r
 * @returns {{ action: 'kill' | 'unkill', enabled: boolean, why: string }}
 */
export function killAction(r) {
  if (r.killed) return { action: 'unkill', enabled: true, why: 'Lift the kill switch on this pod; the serve flag decides again.' };
  const kill = r.flags?.kill;
  if (kill && kill.effectivePercent >= 100) {
    return { action: 'unkill', enabled: false, why: `Killed by the flag ${kill.name}: turn it off in the flag source (Unleash or the flags file).` };
  }
  return { action: 'kill', enabled: true, why: 'Stop the agent serving this route on this pod at once; legacy answers everything and shadowing continues.' };
}
