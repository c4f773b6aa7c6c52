// redact.patterns: secrets recognised by their shape rather than by their place (e-mail
// addresses, card numbers, Bearer tokens, or the operator's own regexes), masked in every
// string that leaves the data plane for storage or display: samples, suites and logs alike.
import type { RedactPatternConfig } from '../config/schema.js';

export interface PatternMasker {
  /** Patterns compiled; 0 means every method returns its input. */
  readonly size: number;
  /** The string with every match masked as [redacted:<name>]. */
  text(value: string): string;
  /** A deep copy of plain objects and arrays with every string (keys included) masked; other values as they are. */
  value<T>(value: T): T;
  /** True when some pattern matches somewhere in the string. */
  matches(value: string): boolean;
}

interface Compiled { name: string; regex: RegExp; replace: (match: string) => string }

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// 13-19 digits, optionally grouped by single spaces or dashes, not part of a longer digit run.
const CARD = /(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)/g;
const BEARER = /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi;

export const maskOf = (name: string): string => `[redacted:${name}]`;

/** The Luhn check digit test (ISO/IEC 7812) over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function compileOne(pattern: RedactPatternConfig): Compiled {
  if (typeof pattern !== 'string') {
    const mask = maskOf(pattern.name);
    return { name: pattern.name, regex: new RegExp(pattern.regex, 'g'), replace: () => mask };
  }
  const mask = maskOf(pattern);
  switch (pattern) {
    case 'email': return { name: pattern, regex: EMAIL, replace: () => mask };
    case 'card': return {
      name: pattern, regex: CARD,
      // Only Luhn-valid numbers: order ids and timestamps of 13-19 digits stay readable.
      replace: (match) => {
        const digits = match.replace(/[ -]/g, '');
        return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? mask : match;
      },
    };
    case 'bearer': return { name: pattern, regex: BEARER, replace: (match) => `${match.slice(0, 6)} ${mask}` };
  }
}

export function compileRedactPatterns(patterns: readonly RedactPatternConfig[]): PatternMasker {
  const compiled = patterns.map(compileOne);
  const text = (value: string): string => {
    let out = value;
    for (const p of compiled) {
      p.regex.lastIndex = 0;
      out = out.replace(p.regex, p.replace);
    }
    return out;
  };
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return text(value);
    if (value === null || typeof value !== 'object' || depth > 64) return value;
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[text(k)] = walk(v, depth + 1);
    return out;
  };
  return {
    size: compiled.length,
    text: compiled.length === 0 ? (v) => v : text,
    value: <T>(value: T): T => (compiled.length === 0 ? value : walk(value, 0) as T),
    matches: (value) => compiled.some((p) => { p.regex.lastIndex = 0; return value.replace(p.regex, p.replace) !== value; }),
  };
}

/** A raw query string (no "?") with pattern matches masked in each decoded name and value. */
export function maskQuery(query: string, masker: PatternMasker): string {
  if (masker.size === 0 || query === '') return query;
  return query.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const [name, value] = eq === -1 ? [pair, null] : [pair.slice(0, eq), pair.slice(eq + 1)];
    const part = (raw: string) => {
      let decoded: string;
      try { decoded = decodeURIComponent(raw.replace(/\+/g, ' ')); } catch { return masker.text(raw); }
      const masked = masker.text(decoded);
      return masked === decoded ? raw : encodeURIComponent(masked);
    };
    return value === null ? part(name) : `${part(name)}=${part(value)}`;
  }).join('&');
}
