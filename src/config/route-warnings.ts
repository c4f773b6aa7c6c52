// Warnings about a route table that is valid but will not do what it says: a route whose
// flags the flag source does not define, and a route that an earlier, broader route shadows
// (first match wins, so it never sees those requests). A pure function of plain inputs:
// check-config prints these, serve logs them at start, /api/routes can show them.
import { patternCovers } from '../routing/match.js';

export type RouteWarningKind = 'flag_missing' | 'shadowed';

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
