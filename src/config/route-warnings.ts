// Warnings about a route table that is valid but will not do what it says: a route whose
// flags the flag source does not define, and a route that an earlier, broader route shadows
// (first match wins, so it never sees those requests). A pure function of plain inputs:
// check-config prints these, serve logs them at start, /api/routes can show them.
import { wilsonInterval } from '../evaluation/statistics.js';
import { patternCovers } from '../routing/match.js';

export type RouteWarningKind = 'flag_missing' | 'shadowed' | 'probation_unreachable';

export interface RouteWarning {
  route: string;
  kind: RouteWarningKind;
  message: string;
}

/** The slice of a route config the warnings read. */
export interface WarnableRoute {
  name: string;
  match: { path: string; methods?: readonly string[] | undefined };
  flags: { shadow?: string | undefined; serve?: string | undefined };
  shadow?: { percent: number };
  guardrail?: { minAgreement: number; window: number; confidence: number };
}

/**
 * `knownFlag` answers whether the flag source defines a flag; pass null when there is no
 * flag source, or when it cannot be asked yet (Unleash before its first answer): flag
 * warnings are then left out rather than made up.
 */
export function routeWarnings(routes: readonly WarnableRoute[], knownFlag: ((name: string) => boolean) | null): RouteWarning[] {
  const warnings: RouteWarning[] = [];
  routes.forEach((route, i) => {
    warnings.push(...shadowing(route, routes.slice(0, i)));
    if (knownFlag !== null) warnings.push(...missingFlags(route, knownFlag));
    warnings.push(...unreachableProbation(route));
  });
  return warnings;
}

const describeRoute = (r: WarnableRoute) => `"${r.name}" (${r.match.methods ? r.match.methods.join(',') : 'any method'} ${r.match.path})`;

/**
 * A later route loses a method when an earlier route takes that method and covers every
 * path the later one matches. A route with no method list is shadowed only by an earlier
 * route that also takes every method. Overlaps that leave the later route some requests
 * (an earlier route narrower in path, or taking other methods) are fine and not reported.
 */
function shadowing(route: WarnableRoute, earlier: readonly WarnableRoute[]): RouteWarning[] {
  const covering = earlier.filter((e) => patternCovers(e.match.path, route.match.path));
  const takes = (e: WarnableRoute, method: string | null) => e.match.methods === undefined || (method !== null && e.match.methods.includes(method));
  const warn = (message: string): RouteWarning[] => [{ route: route.name, kind: 'shadowed', message }];

  if (route.match.methods === undefined) {
    const by = covering.find((e) => takes(e, null));
    return by ? warn(`route "${route.name}" never matches: route ${describeRoute(by)} comes first and takes every request it would match; move "${route.name}" above it or narrow it`) : [];
  }
  const lost = route.match.methods.map((m) => ({ method: m, by: covering.find((e) => takes(e, m)) })).filter((x) => x.by !== undefined);
  if (lost.length === 0) return [];
  const byRoute = [...new Set(lost.map((x) => x.by!))].map((by) => `${lost.filter((x) => x.by === by).map((x) => x.method).join(',')} to ${describeRoute(by)}`);
  if (lost.length === route.match.methods.length) {
    return warn(`route "${route.name}" never matches: earlier routes take every request it would match (${byRoute.join('; ')}); move "${route.name}" up or narrow them`);
  }
  return warn(`route "${route.name}" never receives ${lost.map((x) => x.method).join(',')} requests: they go to earlier routes (${byRoute.join('; ')})`);
}

function missingFlags(route: WarnableRoute, knownFlag: (name: string) => boolean): RouteWarning[] {
  const out: RouteWarning[] = [];
  const { shadow, serve } = route.flags;
  if (shadow !== undefined && !knownFlag(shadow)) {
    const percent = route.shadow ? ` (${route.shadow.percent} %)` : '';
    out.push({ route: route.name, kind: 'flag_missing', message: `route "${route.name}": flag "${shadow}" is not in the flag source, so shadow.percent${percent} alone decides what is mirrored` });
  }
  if (serve !== undefined && !knownFlag(serve)) {
    out.push({ route: route.name, kind: 'flag_missing', message: `route "${route.name}": flag "${serve}" is not in the flag source, so the agent never serves this route` });
  }
  return out;
}

/**
 * A probation ends when the Wilson lower bound of agreement over the guardrail window reaches
 * minAgreement (serve/guardrail.ts). A window too small for that, even full of matches, holds
 * a probation for ever (only a forced reset ends it).
 */
function unreachableProbation(route: WarnableRoute): RouteWarning[] {
  const g = route.guardrail;
  if (!g || g.minAgreement <= 0) return [];
  if (g.minAgreement >= 1) {
    return [{ route: route.name, kind: 'probation_unreachable', message: `route "${route.name}": guardrail.minAgreement 1 means a probation never ends: no number of matches brings the agreement's lower bound to 1 (only a forced reset ends it)` }];
  }
  const best = wilsonInterval(g.window, g.window, g.confidence).lower;
  if (best >= g.minAgreement) return [];
  let needed = g.window;
  while (needed < 1_000_000 && wilsonInterval(needed, needed, g.confidence).lower < g.minAgreement) needed = Math.ceil(needed * 1.1) + 1;
  let low = g.window;
  while (low < needed) {
    const mid = Math.floor((low + needed) / 2);
    if (wilsonInterval(mid, mid, g.confidence).lower >= g.minAgreement) needed = mid; else low = mid + 1;
  }
  return [{
    route: route.name, kind: 'probation_unreachable',
    message: `route "${route.name}": guardrail.window ${g.window} is too small for a probation to end: even ${g.window} matches in ${g.window} give an agreement lower bound of ${best.toFixed(3)} < minAgreement ${g.minAgreement} (confidence ${g.confidence}); a window of at least ${needed} is needed (or reset with force)`,
  }];
}
