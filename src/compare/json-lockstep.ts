// The comparison's common case is agreement, and agreeing JSON answers are usually written the
// same way (same keys in the same order). This reads both bodies token by token, side by side,
// without building a single object, and answers "equal under the rules" (ignored subtrees
// skipped, numbers compared as numbers with the tolerance, strings by value after
// normalisation) — or "cannot tell" at the first thing it does not handle (a difference, keys in
// another order, invalid JSON, deep nesting), in which case the structural comparator (parse
// both, walk, report every difference) decides. So it can only ever say "equal" where the
// structural walk would find no difference; a property test holds it to that.
import type { JsonPlan } from './json.js';
import { MAX_DEPTH, numbersEqual } from './json-rules.js';
import type { PatternState } from './pointer.js';

/** true: no difference under the plan's rules; false: the structural comparison must decide. */
export function lockstepEqual(legacy: Buffer, agent: Buffer, plan: JsonPlan): boolean {
  if (plan.ignore.accepts(plan.ignore.start)) return false; // whole body ignored: rare, let the walk say so
  const a = new Reader(legacy);
  const b = new Reader(agent);
  a.skipBom();
  b.skipBom();
  if (!equalValues(a, b, plan, plan.ignore.start, 0)) return false;
  a.ws();
  b.ws();
  return a.i === a.buf.length && b.i === b.buf.length;
}

class Reader {
  i = 0;
  constructor(readonly buf: Buffer) {}

  skipBom(): void {
    if (this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) this.i = 3;
  }

  ws(): void {
    const buf = this.buf;
    let i = this.i;
    for (;;) {
      const c = buf[i];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  peek(): number {
    this.ws();
    return this.buf[this.i] ?? -1;
  }

  /** A string token; returns its end (exclusive) or -1 when it is not a valid JSON string. */
  string(): number {
    const buf = this.buf;
    let i = this.i + 1; // after the opening quote
    for (;;) {
      const c = buf[i];
      if (c === undefined || c < 0x20) return -1;
      if (c === 0x22) { this.i = i + 1; return this.i; }
      if (c === 0x5c) {
        const e = buf[i + 1];
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) if (!isHex(buf[i + k])) return -1;
          i += 6;
        } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) i += 2;
        else return -1;
      } else i++;
    }
  }

  /** A number token (RFC 8259 grammar); returns its end or -1. */
  number(): number {
    const buf = this.buf;
    let i = this.i;
    if (buf[i] === 0x2d) i++;
    if (buf[i] === 0x30) i++;
    else if (isDigit1(buf[i])) { i++; while (isDigit(buf[i])) i++; } else return -1;
    if (buf[i] === 0x2e) { i++; if (!isDigit(buf[i])) return -1; while (isDigit(buf[i])) i++; }
    if (buf[i] === 0x65 || buf[i] === 0x45) {
      i++;
      if (buf[i] === 0x2b || buf[i] === 0x2d) i++;
      if (!isDigit(buf[i])) return -1;
      while (isDigit(buf[i])) i++;
    }
    this.i = i;
    return i;
  }

  literal(word: 'true' | 'false' | 'null'): boolean {
    for (let k = 0; k < word.length; k++) if (this.buf[this.i + k] !== word.charCodeAt(k)) return false;
    this.i += word.length;
    return true;
  }

  /** Skips one value, checking it is valid JSON (an ignored subtree must still parse). */
  skip(depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const c = this.peek();
    if (c === 0x22) return this.string() !== -1;
    if (c === 0x2d || isDigit(c)) return this.number() !== -1;
    if (c === 0x74) return this.literal('true');
    if (c === 0x66) return this.literal('false');
    if (c === 0x6e) return this.literal('null');
    if (c === 0x7b) {
      this.i++;
      if (this.peek() === 0x7d) { this.i++; return true; }
      for (;;) {
        if (this.peek() !== 0x22 || this.string() === -1) return false;
        if (this.peek() !== 0x3a) return false;
        this.i++;
        if (!this.skip(depth + 1)) return false;
        const sep = this.peek();
        this.i++;
        if (sep === 0x7d) return true;
        if (sep !== 0x2c) return false;
      }
    }
    if (c === 0x5b) {
      this.i++;
      if (this.peek() === 0x5d) { this.i++; return true; }
      for (;;) {
        if (!this.skip(depth + 1)) return false;
        const sep = this.peek();
        this.i++;
        if (sep === 0x5d) return true;
        if (sep !== 0x2c) return false;
      }
    }
    return false;
  }
}

function equalValues(a: Reader, b: Reader, plan: JsonPlan, ignore: PatternState, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const ca = a.peek();
  const cb = b.peek();
  if (ca === 0x22) {
    if (cb !== 0x22) return false;
    const sa = a.i; const ea = a.string();
    const sb = b.i; const eb = b.string();
    if (ea === -1 || eb === -1) return false;
    if (ea - sa === eb - sb && sameBytes(a.buf, sa, b.buf, sb, ea - sa)) return true;
    // Written differently (escapes, case, spaces): equal only if their values are under the rules.
    const va = JSON.parse(a.buf.toString('utf8', sa, ea)) as string;
    const vb = JSON.parse(b.buf.toString('utf8', sb, eb)) as string;
    return plan.normaliseString(va) === plan.normaliseString(vb);
  }
  if (ca === 0x2d || isDigit(ca)) {
    if (cb !== 0x2d && !isDigit(cb)) return false;
    const sa = a.i; const ea = a.number();
    const sb = b.i; const eb = b.number();
    if (ea === -1 || eb === -1) return false;
    if (ea - sa === eb - sb && sameBytes(a.buf, sa, b.buf, sb, ea - sa)) return true;
    return numbersEqual(Number(a.buf.toString('latin1', sa, ea)), Number(b.buf.toString('latin1', sb, eb)), plan.numericTolerance);
  }
  if (ca === 0x74) return cb === 0x74 && a.literal('true') && b.literal('true');
  if (ca === 0x66) return cb === 0x66 && a.literal('false') && b.literal('false');
  if (ca === 0x6e) return cb === 0x6e && a.literal('null') && b.literal('null');
  if (ca === 0x7b) return cb === 0x7b && equalObjects(a, b, plan, ignore, depth);
  if (ca === 0x5b) return cb === 0x5b && equalArrays(a, b, plan, ignore, depth);
  return false;
}

function equalObjects(a: Reader, b: Reader, plan: JsonPlan, ignore: PatternState, depth: number): boolean {
  const open = opened(a, b, 0x7d);
  if (open !== 'items') return open === 'empty';
  for (;;) {
    if (a.peek() !== 0x22 || b.peek() !== 0x22) return false;
    const sa = a.i; const ka = a.string();
    const sb = b.i; const kb = b.string();
    // Keys in the same order, written the same: anything else is for the structural walk.
    if (ka === -1 || kb === -1 || ka - sa !== kb - sb || !sameBytes(a.buf, sa, b.buf, sb, ka - sa)) return false;
    if (a.peek() !== 0x3a || b.peek() !== 0x3a) return false;
    a.i++;
    b.i++;
    const child = ignore.length === 0 ? ignore : plan.ignore.step(ignore, keyOf(a.buf, sa, ka));
    const next = member(a, b, plan, child, depth + 1, 0x7d);
    if (next !== 'next') return next === 'end';
  }
}

function equalArrays(a: Reader, b: Reader, plan: JsonPlan, ignore: PatternState, depth: number): boolean {
  const open = opened(a, b, 0x5d);
  if (open !== 'items') return open === 'empty';
  // In-order equal elements are equal as a multiset too: unordered arrays need nothing special
  // here (ignore patterns inside them are read at the legacy element's index, as in the walk).
  for (let index = 0; ; index++) {
    const child = ignore.length === 0 ? ignore : plan.ignore.step(ignore, String(index));
    const next = member(a, b, plan, child, depth + 1, 0x5d);
    if (next !== 'next') return next === 'end';
  }
}

/** Both readers past `{` or `[`: both empty, both with items, or one of each (null). */
function opened(a: Reader, b: Reader, close: number): 'empty' | 'items' | null {
  a.i++;
  b.i++;
  const ea = a.peek() === close;
  const eb = b.peek() === close;
  if (!ea && !eb) return 'items';
  if (ea !== eb) return null;
  a.i++;
  b.i++;
  return 'empty';
}

/**
 * One member's value (or element) at both readers — skipped, though still checked as JSON, when
 * its ignore state accepts — then the same separator at both: 'next', 'end' (`close` read), or
 * null when the structural walk must decide.
 */
function member(a: Reader, b: Reader, plan: JsonPlan, child: PatternState, depth: number, close: number): 'next' | 'end' | null {
  const ignored = child.length > 0 && plan.ignore.accepts(child);
  if (ignored ? !(a.skip(depth) && b.skip(depth)) : !equalValues(a, b, plan, child, depth)) return null;
  const sa = a.peek();
  if (sa !== b.peek() || (sa !== 0x2c && sa !== close)) return null;
  a.i++;
  b.i++;
  return sa === close ? 'end' : 'next';
}

/** Tokens are short: a plain loop beats Buffer.compare's call into C++. */
function sameBytes(x: Buffer, xs: number, y: Buffer, ys: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (x[xs + k] !== y[ys + k]) return false;
  return true;
}

/** A key token's value; JSON.parse only when it has escapes. */
function keyOf(buf: Buffer, start: number, end: number): string {
  for (let k = start + 1; k < end - 1; k++) if (buf[k] === 0x5c) return JSON.parse(buf.toString('utf8', start, end)) as string;
  return buf.toString('utf8', start + 1, end - 1);
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isDigit1 = (c: number | undefined): boolean => c !== undefined && c >= 0x31 && c <= 0x39;
const isHex = (c: number | undefined): boolean => c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
