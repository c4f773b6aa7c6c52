// Route table: first route (in config order) whose path pattern and method match wins.
// Patterns: exact "/api/quote", params "/api/orders/:id", trailing wildcard "/api/*".
import type { RouteConfig } from '../config/schema.js';

export const UNMATCHED = 'unmatched';

export interface RouteMatcher<R> { match(method: string, path: string): R | undefined }

interface Compiled<R> { route: R; regex: RegExp; methods: ReadonlySet<string> | null }

export function compilePattern(pattern: string): RegExp {
  const wildcard = pattern.endsWith('/*');
  const base = wildcard ? pattern.slice(0, -2) : pattern;
  const body = base
    .split('/')
    .map((seg) => (seg.startsWith(':') && seg.length > 1 ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  // "/api/*" matches "/api" and anything below it, never "/apiary".
  return new RegExp(wildcard ? `^${body}(?:/.*)?$` : `^${body}/?$`);
}

export function createRouteMatcher<R extends Pick<RouteConfig, 'match'>>(routes: readonly R[]): RouteMatcher<R> {
  const table: Compiled<R>[] = routes.map((route) => ({
    route,
    regex: compilePattern(route.match.path),
    methods: route.match.methods ? new Set(route.match.methods) : null,
  }));
  return {
    match(method, path) {
      for (const entry of table) {
        if (entry.methods !== null && !entry.methods.has(method)) continue;
        if (entry.regex.test(path)) return entry.route;
      }
      return undefined;
    },
  };
}

/** The path part of a request target, without query string. */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
