// What /api/routes shows of a route, and what the admin API may do to it. Pure reads of
// the route's runtime, control and flags; the actions are logged with who and why.
import type { FieldsResponse } from '../evaluation/calibration.js';
import type { ReadinessData, ReadinessResponse } from '../evaluation/readiness.js';
import { serveLevel } from '../evaluation/route-evaluation.js';
import type { Logger } from '../log.js';
import type { RouteRuntime } from '../routing/runtime.js';
import type { RouteFlags } from './route-flags.js';
import { routeWarnings, type RouteWarning } from '../config/route-warnings.js';

/** A route's review verdicts, as readiness reads them (VerdictTally). */
export type AdjudicatedOf = (route: string) => ReadinessData['adjudicated'];

export type RouteAction = 'kill' | 'unkill' | 'reset';

export function routeView(route: RouteRuntime, flags: RouteFlags, warnings: readonly RouteWarning[] = []): Record<string, unknown> {
  const c = route.control;
  c.state(); // lifts a demotion whose cool-down passed, so the view is current
  const w = route.window.snapshot();
  const guard = c.guardrail.status();
  const killFlag = flags.view(route, 'kill');
  return {
    name: route.name,
    match: route.config.match,
    mode: c.mode(),
    flags: { shadow: flags.view(route, 'shadow'), serve: flags.view(route, 'serve'), kill: killFlag },
    shadowPercent: route.config.shadow.percent,
    servedByAgentShare: c.servedShare(),
    demoted: guard.demoted,
    demotion: guard.demoted ? { reason: guard.reason, since: guard.since ? new Date(guard.since).toISOString() : null } : null,
    probation: c.probation,
    killed: c.killed,
    /** Which kill is in force: the per-pod admin switch, the fleet-wide flag (for some or all requests), or none. */
    killedBy: c.killed !== null ? 'local' : killFlag.effectivePercent > 0 ? 'flag' : null,
    circuit: c.breaker.name(),
    agreement: w.agreement,
    /** Over the readiness window; adjusted: mismatches only in fields calibration judges noise count as matches. */
    agreementRatio: route.evaluation.agreement.ratios(),
    /** Routes with `candidates`: each one's agreement with legacy (the first drives everything else); null otherwise. */
    candidates: route.evaluation.candidateAgreement(),
    agentErrorRate: w.agentErrorRate,
    window: { ...w, size: route.window.size },
    guardrail: {
      ...route.config.guardrail, agreement: guard.agreement, errorRate: guard.errorRate, comparisons: guard.comparisons, calls: guard.calls,
      /** Why the window would demote a serving route now (the statistical rule), or null. */
      trip: c.guardrail.check(),
      /** Whether the window shows the agent good (what ends a probation). */
      passes: c.guardrail.passes(),
      /** Wilson lower bound of agreement over the window at guardrail.confidence; null before the first comparison. */
      agreementLower: c.guardrail.agreementLower(),
    },
    compare: route.config.compare,
    counts: { ...route.totals },
    /** Valid but probably not meant: flags the source does not define, a route an earlier one shadows, a probation that cannot end. */
    warnings: warnings.filter((w) => w.route === route.name).map(({ kind, message }) => ({ kind, message })),
  };
}

/** The admin API's view of the routes of the config in force (it changes with a live reload). */
export function createRouteActions(routes: () => readonly RouteRuntime[], flags: () => RouteFlags, log: Logger, adjudicated: AdjudicatedOf = () => ({ accuracy: null, verdicts: 0 })) {
  const find = (name: string) => routes().find((r) => r.name === name);
  const warnings = () => routeWarnings(routes().map((r) => r.config), flags().knownFlag());
  return {
    list: () => { const w = warnings(); return routes().map((r) => routeView(r, flags(), w)); },
    get: (name: string) => { const r = find(name); return r ? routeView(r, flags(), warnings()) : undefined; },
    /** GET /api/routes/:name/fields; undefined for an unknown route. */
    fields: (name: string): (FieldsResponse & { calibration: 'on' | 'off' }) | undefined => find(name)?.evaluation.fields(),
    /** GET /api/routes/:name/readiness; `level` from the serve flag's rollout now. */
    readiness: (name: string): ReadinessResponse | undefined => {
      const r = find(name);
      return r ? r.evaluation.readiness(serveLevel(flags().rollout(r.name, 'serve')), adjudicated(r.name)) : undefined;
    },
    act: (name: string, action: RouteAction, who: string, why: string, force = false): boolean => {
      const r = find(name);
      if (!r) return false;
      if (action === 'kill') r.control.kill(who, why);
      else if (action === 'unkill') r.control.unkill();
      else r.control.reset(who, why, force);
      log.warn({ event: action, route: name, who, why, ...(action === 'reset' ? { force } : {}) }, `route ${action}${action === 'reset' && force ? ' (forced: no probation)' : ''}`);
      return true;
    },
  };
}
