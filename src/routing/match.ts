// Route table: first route (in config order) whose path pattern and method match wins.
// Patterns: exact "/api/quote", params "/api/orders/:id", trailing wildcard "/api/*".
// Anything else ("{id}", "/a/*/b", "/**", ":id(\d+)") is rejected at config time: such a
// pattern would compile to a literal that no request ever matches.
import type { RouteConfig } from '../config/schema.js';

export const UNMATCHED = 'unmatched';

export const SUPPORTED_PATTERNS = 'supported: exact /api/quote, parameters /api/orders/:id, a trailing wildcard /api/*';

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

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `pattern` is not a supported route pattern (with the fix), or undefined when it is. */
export function patternProblem(pattern: string): string | undefined {
  if (!pattern.startsWith('/')) return `expected a path starting with "/" (${SUPPORTED_PATTERNS})`;
  const unsupported = (why: string) => `"${pattern}" is not a supported pattern: ${why} (${SUPPORTED_PATTERNS})`;
  if (/[?#]/.test(pattern)) return unsupported('patterns match the path only, without "?query" or "#fragment"');
  const segments = pattern.split('/').slice(1);
  for (const [i, seg] of segments.entries()) {
    const last = i === segments.length - 1;
    if (seg === '*' && last) continue;
    if (seg === '**') return unsupported('"**" does not exist, a trailing "/*" already matches any depth');
    const brace = /\{([^}]*)\}/.exec(seg);
    if (brace) return unsupported(`write the parameter "${brace[0]}" as ":${PARAM_NAME.test(brace[1] ?? '') ? brace[1] : 'name'}"`);
    if (/[{}]/.test(seg)) return unsupported(`"${seg}" contains a brace`);
    if (seg.includes('*')) {
      return unsupported(seg === '*'
        ? '"*" only works as the last segment, use ":name" to match one segment'
        : `"*" is no glob inside "${seg}", use ":name" to match one whole segment`);
    }
    if (seg.startsWith(':')) {
      const name = seg.slice(1);
      if (name === '') return unsupported('":" needs a parameter name, e.g. ":id"');
      if (!PARAM_NAME.test(name)) {
        const plain = /^[A-Za-z_][A-Za-z0-9_]*/.exec(name)?.[0];
        return unsupported(`a parameter is ":" and a name only (letters, digits, "_"), no pattern${plain ? `; ":${plain}" matches any one segment` : ''}`);
      }
    }
  }
  return undefined;
}

/** A pattern's segments: a literal, a parameter (any one non-empty segment), and whether it ends in "/*". */
interface Shape { segments: ({ param: true } | { param: false; literal: string })[]; wildcard: boolean }

function shapeOf(pattern: string): Shape {
  const wildcard = pattern.endsWith('/*');
  const base = wildcard ? pattern.slice(0, -2) : pattern;
  const segments = base.split('/').slice(1).map((seg) => (seg.startsWith(':') && seg.length > 1 ? { param: true as const } : { param: false as const, literal: seg }));
  return { segments, wildcard };
}

/**
 * true when every path `inner` matches is also matched by `outer` (both supported patterns).
 * Exact, not heuristic: compares segment by segment the way compilePattern's regexes match.
 */
export function patternCovers(outer: string, inner: string): boolean {
  const a = shapeOf(outer);
  const b = shapeOf(inner);
  if (b.wildcard && !a.wildcard) return false;
  if (a.wildcard ? b.segments.length < a.segments.length : b.segments.length !== a.segments.length) return false;
  return a.segments.every((sa, i) => {
    const sb = b.segments[i]!;
    if (sa.param) return sb.param || sb.literal !== '';
    return !sb.param && sb.literal === sa.literal;
  });
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
