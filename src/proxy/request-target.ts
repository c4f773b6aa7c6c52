// The request target (RFC 9112 §3.2) as the data plane reads it: routing always sees the
// path of the target, whatever form the client used, and legacy always gets origin-form.
// Pure: tested as a table.

export type RequestTarget =
  | {
    ok: true;
    /** Path without query, dot segments removed: what routes match on. */
    path: string;
    /** What legacy is sent: origin-form path + query ('*' for OPTIONS *). */
    forward: string;
    /** The authority of an absolute-form target (RFC 9112 §3.2.2: it replaces Host). */
    authority: string | undefined;
  }
  | { ok: false; status: 400 | 405; reason: 'bad_target' | 'connect'; message: string };

const ABSOLUTE = /^https?:\/\//i;

export function parseRequestTarget(method: string, url: string): RequestTarget {
  if (method === 'CONNECT') return { ok: false, status: 405, reason: 'connect', message: 'CONNECT is not supported: shadowgate is a reverse proxy, not a tunnel' };
  const first = url.charCodeAt(0);
  if (first === 47 /* / */) {
    // origin-form: the common case, and the cheapest.
    const q = url.indexOf('?');
    const raw = q === -1 ? url : url.slice(0, q);
    return { ok: true, path: hasDotSegment(raw) ? removeDotSegments(raw) : raw, forward: url, authority: undefined };
  }
  if (url === '*') {
    if (method !== 'OPTIONS') return { ok: false, status: 400, reason: 'bad_target', message: 'the asterisk-form request target is only valid for OPTIONS' };
    return { ok: true, path: '*', forward: '*', authority: undefined };
  }
  if (ABSOLUTE.test(url)) {
    const rest = url.slice(url.indexOf('//') + 2);
    const slash = rest.search(/[/?#]/);
    const authority = slash === -1 ? rest : rest.slice(0, slash);
    if (authority === '' || authority.includes('@')) {
      return { ok: false, status: 400, reason: 'bad_target', message: 'absolute-form request target without a valid authority' };
    }
    let tail = slash === -1 ? '/' : rest.slice(slash);
    const hash = tail.indexOf('#');
    if (hash !== -1) tail = tail.slice(0, hash);
    if (tail.startsWith('?')) tail = `/${tail}`;
    const q = tail.indexOf('?');
    const raw = q === -1 ? tail : tail.slice(0, q);
    return { ok: true, path: hasDotSegment(raw) ? removeDotSegments(raw) : raw, forward: tail, authority };
  }
  // authority-form (host:port) is for CONNECT only; anything else is not a request target.
  return { ok: false, status: 400, reason: 'bad_target', message: 'request target must be origin-form (/path) or absolute-form (http://host/path)' };
}

function hasDotSegment(path: string): boolean {
  return path.includes('/.') || (path.includes('%') && /\/%2e/i.test(path));
}

/**
 * RFC 3986 §5.2.4, so "/api/./orders/../orders/1" routes like "/api/orders/1". A dot written
 * "%2e" is a dot (§6.2.2.2: unreserved characters are equivalent encoded or not), so
 * "/api/%2e%2e/admin" routes like "/admin", as a server that decodes before it resolves reads it.
 */
export function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const raw = segments[i]!;
    const seg = raw.length > 1 && raw.length <= 6 && raw.includes('%') ? raw.replace(/%2e/gi, '.') : raw;
    if (seg === '.') { if (i === segments.length - 1) out.push(''); continue; }
    if (seg === '..') { out.pop(); if (i === segments.length - 1) out.push(''); continue; }
    out.push(raw);
  }
  return `/${out.join('/')}`;
}
