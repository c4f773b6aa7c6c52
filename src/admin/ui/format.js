// @ts-check
// Numbers, times and values as the review page writes them. Pure functions.

/** 0.9412 → "94.1%"; null, undefined and NaN → "—". */
export function pct(/** @type {number | null | undefined} */ x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  const s = (x * 100).toFixed(digits);
  return `${s.endsWith('.0') ? s.slice(0, -2) : s}%`;
}

/** 12340 → "12 340" (thin space: no locale ambiguity between "," and "."). */
export function count(/** @type {number | null | undefined} */ n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/** ISO time → "14:03:21" (local, 24 h), or with the date. */
export function clock(/** @type {string} */ iso, withDate = false) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withDate ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${t}` : t;
}

/** How long ago, coarse: "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function ago(/** @type {string} */ iso, /** @type {number} */ now = Date.now()) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** 30000 → "30 s", 90000 → "1.5 min", 0 → "0 s". */
export function duration(/** @type {number} */ ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 120) return `${Number(s.toFixed(1))} s`;
  const m = s / 60;
  return m < 120 ? `${Number(m.toFixed(1))} min` : `${Number((m / 60).toFixed(1))} h`;
}

/** A value as compact JSON; undefined (absent on that side) → "—". */
export function shortJson(/** @type {unknown} */ value) {
  if (value === undefined) return '—';
  try { return JSON.stringify(value) ?? String(value); } catch { return String(value); }
}

export function headerValue(/** @type {string | string[] | undefined} */ value) {
  return Array.isArray(value) ? value.join(', ') : String(value ?? '');
}
