// Structural JSON comparison: every differing leaf is reported at its own RFC 6901 pointer.
// The walker carries the ignore / unordered-array pattern states down the tree (see pointer.ts),
// so ignoring a subtree skips it entirely rather than filtering differences afterwards.

import type { DifferenceCollector } from './differences.js';
import { lockstepEqual } from './json-lockstep.js';
import { MAX_DEPTH, numbersEqual } from './json-rules.js';
import { escapeSegment, type PatternSet, type PatternState } from './pointer.js';
import type { DifferenceKind, StringNormalisation } from './types.js';

/** Above this many elements (either side) an unordered array is compared index by index, which
 * keeps the quadratic multiset matching to at most 10^6 element probes. */
export const MAX_UNORDERED_ELEMENTS = 1000;

export { MAX_DEPTH, numbersEqual };

export interface JsonPlan {
  ignore: PatternSet;
  unordered: PatternSet;
  numericTolerance: number;
  normaliseString: (value: string) => string;
}

export function createJsonPlan(options: {
  ignore: PatternSet;
  unordered: PatternSet;
  numericTolerance: number;
  strings: StringNormalisation;
}): JsonPlan {
  return {
    ignore: options.ignore,
    unordered: options.unordered,
    numericTolerance: options.numericTolerance,
    normaliseString: createStringNormaliser(options.strings),
  };
}

export function createStringNormaliser(options: StringNormalisation): (value: string) => string {
  const { trim = false, caseInsensitive = false, collapseWhitespace = false } = options;
  if (!trim && !caseInsensitive && !collapseWhitespace) return (value) => value;
  return (value) => {
    let out = value;
    if (collapseWhitespace) out = out.replace(/\s+/g, ' ');
    if (trim) out = out.trim();
    // toLowerCase, not toLocaleLowerCase: the result must not depend on the host locale.
    if (caseInsensitive) out = out.toLowerCase();
    return out;
  };
}

/**
 * Parses both bodies and walks them. Unparseable input on either side is one 'unparseable'
 * difference carrying the parse error on the side(s) that failed.
 * Note: JSON.parse reads numbers as doubles, so integers beyond 2^53 that differ only in the low
 * digits compare equal. Node 20 has no access to the source text of numbers to do better.
 */
export function compareJsonBodies(legacy: Buffer, agent: Buffer, plan: JsonPlan, out: DifferenceCollector): void {
  // Agreement written the same way needs no parse at all (json-lockstep.ts); anything else is walked.
  if (lockstepEqual(legacy, agent, plan)) return;
  const legacyParsed = parseJson(legacy);
  const agentParsed = parseJson(agent);
  if (!legacyParsed.ok || !agentParsed.ok) {
    out.add(
      '',
      'body',
      'unparseable',
      legacyParsed.ok ? undefined : `legacy body is not valid JSON: ${legacyParsed.error}`,
      agentParsed.ok ? undefined : `agent body is not valid JSON: ${agentParsed.error}`,
    );
    return;
  }
  compareJsonValues(legacyParsed.value, agentParsed.value, plan, out);
}

export function compareJsonValues(legacy: unknown, agent: unknown, plan: JsonPlan, out: DifferenceCollector): void {
  if (plan.ignore.accepts(plan.ignore.start)) return;
  const walker = new JsonWalker(plan, out);
  try {
    walker.node(legacy, agent, plan.ignore.start, plan.unordered.start, 0);
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
    out.add(error.pointer, error.field, 'unparseable', `nested deeper than ${MAX_DEPTH} levels`, `nested deeper than ${MAX_DEPTH} levels`);
  }
}

type ParseResult = { ok: true; value: unknown } | { ok: false; error: string };

function parseJson(body: Buffer): ParseResult {
  let text = body.toString('utf8');
  // Some frameworks emit a BOM; it is not part of the document.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

const ABSENT: unique symbol = Symbol('absent');

type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

class TooDeep extends Error {
  constructor(
    readonly pointer: string,
    readonly field: string,
  ) {
    super('too deep');
  }
}

/** A path segment: an object key, or an array index (kept as a number until a pointer is built). */
type Segment = string | number;

/**
 * Every method returns `true` to mean "stop": either the collector is full or, while probing an
 * unordered-array pair, the first difference has been found. The path is a shared stack so
 * pointers are only built for differences actually reported.
 */
class JsonWalker {
  private readonly path: Segment[] = [];
  /** > 0 while testing two unordered-array elements for equality: report nothing, stop early. */
  private probing = 0;

  constructor(
    private readonly plan: JsonPlan,
    private readonly out: DifferenceCollector,
  ) {}

  node(legacy: unknown, agent: unknown, ignore: PatternState, unordered: PatternState, depth: number): boolean {
    if (depth > MAX_DEPTH) throw new TooDeep(this.pointer(), this.field());
    const type = jsonType(legacy);
    if (type !== jsonType(agent)) return this.report('type', legacy, agent);
    switch (type) {
      case 'object':
        return this.objects(legacy as Record<string, unknown>, agent as Record<string, unknown>, ignore, unordered, depth);
      case 'array':
        return this.arrays(legacy as unknown[], agent as unknown[], ignore, unordered, depth);
      case 'number':
        return numbersEqual(legacy as number, agent as number, this.plan.numericTolerance)
          ? false
          : this.report('changed', legacy, agent);
      case 'string':
        return this.plan.normaliseString(legacy as string) === this.plan.normaliseString(agent as string)
          ? false
          : this.report('changed', legacy, agent);
      default:
        return legacy === agent ? false : this.report('changed', legacy, agent);
    }
  }

  private child(
    key: Segment,
    legacy: unknown,
    agent: unknown,
    ignore: PatternState,
    unordered: PatternState,
    depth: number,
  ): boolean {
    // Patterns only see string segments; most subtrees have none left to match (no string needed).
    const childIgnore = ignore.length === 0 ? ignore : this.plan.ignore.step(ignore, String(key));
    if (childIgnore.length > 0 && this.plan.ignore.accepts(childIgnore)) return false;
    this.path.push(key);
    let stop: boolean;
    if (agent === ABSENT) stop = this.report('missing_in_agent', legacy, undefined);
    else if (legacy === ABSENT) stop = this.report('extra_in_agent', undefined, agent);
    else stop = this.node(legacy, agent, childIgnore, unordered.length === 0 ? unordered : this.plan.unordered.step(unordered, String(key)), depth + 1);
    this.path.pop();
    return stop;
  }

  private objects(
    legacy: Record<string, unknown>,
    agent: Record<string, unknown>,
    ignore: PatternState,
    unordered: PatternState,
    depth: number,
  ): boolean {
    for (const key in legacy) {
      const agentValue = Object.hasOwn(agent, key) ? agent[key] : ABSENT;
      if (this.child(key, legacy[key], agentValue, ignore, unordered, depth)) return true;
    }
    for (const key in agent) {
      if (Object.hasOwn(legacy, key)) continue;
      if (this.child(key, ABSENT, agent[key], ignore, unordered, depth)) return true;
    }
    return false;
  }

  private arrays(legacy: unknown[], agent: unknown[], ignore: PatternState, unordered: PatternState, depth: number): boolean {
    const asMultiset =
      this.plan.unordered.accepts(unordered) &&
      legacy.length <= MAX_UNORDERED_ELEMENTS &&
      agent.length <= MAX_UNORDERED_ELEMENTS;
    return asMultiset
      ? this.unorderedArrays(legacy, agent, ignore, unordered, depth)
      : this.orderedArrays(legacy, agent, ignore, unordered, depth);
  }

  private orderedArrays(legacy: unknown[], agent: unknown[], ignore: PatternState, unordered: PatternState, depth: number): boolean {
    const length = Math.max(legacy.length, agent.length);
    for (let i = 0; i < length; i++) {
      const legacyValue = i < legacy.length ? legacy[i] : ABSENT;
      const agentValue = i < agent.length ? agent[i] : ABSENT;
      if (this.child(i, legacyValue, agentValue, ignore, unordered, depth)) return true;
    }
    return false;
  }

  /**
   * Multiset matching: each legacy element takes the first unmatched agent element equal to it
   * under the same rules (tolerance, normalisation, ignores), trying the same index first so an
   * already-ordered array costs O(n). Greedy is exact when equality is transitive; with a numeric
   * tolerance it is not, and greedy may miss a perfect pairing — accepted for predictability.
   * Ignore patterns inside elements are evaluated at the legacy element's index; an element whose
   * own pointer is ignored (e.g. '/items/3') is left out on the side where it has that index.
   */
  private unorderedArrays(legacy: unknown[], agent: unknown[], ignore: PatternState, unordered: PatternState, depth: number): boolean {
    const { ignore: ignoreSet } = this.plan;
    const agentTaken = new Uint8Array(agent.length);
    for (let j = 0; j < agent.length; j++) {
      if (ignoreSet.accepts(ignoreSet.step(ignore, String(j)))) agentTaken[j] = 1;
    }
    const missing: number[] = [];
    for (let i = 0; i < legacy.length; i++) {
      const key = String(i);
      const elementIgnore = ignoreSet.step(ignore, key);
      if (ignoreSet.accepts(elementIgnore)) continue;
      const elementUnordered = this.plan.unordered.step(unordered, key);
      const equalAt = (j: number): boolean =>
        agentTaken[j] === 0 && this.probe(key, legacy[i], agent[j], elementIgnore, elementUnordered, depth + 1);
      let match = i < agent.length && equalAt(i) ? i : -1;
      for (let j = 0; match < 0 && j < agent.length; j++) {
        if (j !== i && equalAt(j)) match = j;
      }
      if (match >= 0) agentTaken[match] = 1;
      else if (this.probing > 0) return true; // the caller only needs "not equal"
      else missing.push(i);
    }
    for (const i of missing) {
      if (this.child(i, legacy[i], ABSENT, ignore, unordered, depth)) return true;
    }
    for (let j = 0; j < agent.length; j++) {
      if (agentTaken[j] === 0 && this.child(j, ABSENT, agent[j], ignore, unordered, depth)) return true;
    }
    return false;
  }

  private probe(key: string, legacy: unknown, agent: unknown, ignore: PatternState, unordered: PatternState, depth: number): boolean {
    this.path.push(Number(key));
    this.probing++;
    const different = this.node(legacy, agent, ignore, unordered, depth);
    this.probing--;
    this.path.pop();
    return !different;
  }

  private report(kind: DifferenceKind, legacy: unknown, agent: unknown): boolean {
    if (this.probing > 0) return true;
    return this.out.add(this.pointer(), this.field(), kind, legacy, agent);
  }

  private pointer(): string {
    let out = '';
    for (const segment of this.path) out += '/' + (typeof segment === 'number' ? String(segment) : escapeSegment(segment));
    return out;
  }

  private field(): string {
    if (this.path.length === 0) return 'body';
    let out = '';
    for (const segment of this.path) out += '/' + (typeof segment === 'number' ? '*' : escapeSegment(segment));
    return out;
  }
}
