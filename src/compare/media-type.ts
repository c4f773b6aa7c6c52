// Content-Type parsing, shared by the header comparison and the choice of body comparator.

export interface MediaType {
  /** 'type/subtype', lower-case. */
  essence: string;
  /** Parameter names lower-case; values unquoted, case kept (boundary is case-sensitive). */
  params: Map<string, string>;
}

const PARAM = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;

export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

export function parseMediaType(value: string | undefined): MediaType | undefined {
  if (value === undefined) return undefined;
  const semicolon = value.indexOf(';');
  const essence = (semicolon < 0 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  if (essence === '') return undefined;
  const params = new Map<string, string>();
  if (semicolon >= 0) {
    for (const match of value.slice(semicolon).matchAll(PARAM)) {
      const name = (match[1] ?? '').toLowerCase();
      let raw = (match[2] ?? '').trim();
      if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) raw = raw.slice(1, -1).replace(/\\(.)/g, '$1');
      params.set(name, raw);
    }
  }
  return { essence, params };
}

/**
 * Canonical form for comparing two Content-Type values: essence lower-case, parameters sorted,
 * whitespace dropped. The charset is case-insensitive, 'utf8' is an alias of 'utf-8', and a
 * missing charset counts as utf-8 — the de facto default for JSON and modern text, and the
 * commonest framework-to-framework noise ("application/json" vs "…; charset=utf-8"). A declared
 * non-UTF-8 charset still differs from a missing one.
 */
export function canonicalContentType(value: string | undefined): string | undefined {
  const media = parseMediaType(value);
  if (media === undefined) return value?.trim() || undefined;
  const params = new Map(media.params);
  const charset = (params.get('charset') ?? 'utf-8').toLowerCase();
  params.set('charset', charset === 'utf8' ? 'utf-8' : charset);
  const sorted = [...params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return media.essence + sorted.map(([name, param]) => `;${name}=${param}`).join('');
}

export type BodyKind = 'json' | 'text' | 'binary';

export function bodyKind(contentType: string | undefined): BodyKind {
  const essence = parseMediaType(contentType)?.essence;
  if (essence === undefined) return 'binary';
  if (essence === 'application/json' || essence.endsWith('+json')) return 'json';
  if (
    essence.startsWith('text/') ||
    essence === 'application/xml' ||
    essence.endsWith('+xml') ||
    essence === 'application/x-www-form-urlencoded' ||
    essence.includes('javascript') ||
    essence.includes('ecmascript')
  ) {
    return 'text';
  }
  return 'binary';
}
