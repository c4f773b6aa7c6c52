// JSON Pointer (RFC 6901) helpers and the glob patterns used by `ignore` and `unorderedArrays`.
// Pattern syntax: a pointer whose segment may be '*' (exactly one segment) or '**' (zero or more
// segments); other segments are literal and use the usual ~0 / ~1 escapes. A literal key that is
// itself '*' or '**' cannot be expressed; no real API we shadow needs one.
//
// All patterns of one option are compiled once into a single small NFA over path segments. The
// JSON walker carries the NFA state down the tree, so each node costs one step, never a re-match
// from the root.

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Decodes ~1 then ~0, as RFC 6901 section 4 requires; throws on any other '~' sequence. */
export function unescapeSegment(segment: string): string {
  if (!segment.includes('~')) return segment;
  if (/~(?![01])/.test(segment)) {
    throw new Error(`invalid escape in pointer segment '${segment}' (only ~0 and ~1 are allowed)`);
  }
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) {
    throw new Error(`pointer '${pointer}' must be empty or start with '/'`);
  }
  return pointer.slice(1).split('/').map(unescapeSegment);
}

export function formatPointer(segments: readonly string[]): string {
  let out = '';
  for (const segment of segments) out += '/' + escapeSegment(segment);
  return out;
}

/**
 * Metric label for a pointer when we no longer know which segments were array indices (plugin
 * output): every all-digit segment becomes '*'.
 */
export function fieldOfPointer(pointer: string): string {
  if (pointer === '' || !pointer.startsWith('/')) return pointer === '' ? 'body' : pointer;
  return pointer
    .split('/')
    .map((segment) => (ARRAY_INDEX.test(segment) ? '*' : segment))
    .join('/');
}

type Token =
  | { kind: 'literal'; value: string }
  | { kind: 'one' }
  | { kind: 'any' }
  | { kind: 'accept' };

/** Positions in the compiled token list; empty means no pattern can match any more. */
export type PatternState = readonly number[];

export interface PatternSet {
  readonly size: number;
  readonly start: PatternState;
  step(state: PatternState, segment: string): PatternState;
  accepts(state: PatternState): boolean;
  /** Convenience for callers holding a whole pointer (tests, plugins). */
  matches(pointer: string): boolean;
}

const DEAD: PatternState = Object.freeze([]);

/** Throws an Error naming `optionName[index]` for the first invalid pattern. */
export function compilePatterns(patterns: readonly string[], optionName = 'patterns'): PatternSet {
  const tokens: Token[] = [];
  const starts: number[] = [];
  patterns.forEach((pattern, index) => {
    let segments: string[];
    try {
      segments = parsePattern(pattern);
    } catch (error) {
      throw new Error(`${optionName}[${index}]: ${(error as Error).message}`);
    }
    starts.push(tokens.length);
    let previousAny = false;
    for (const segment of segments) {
      // Consecutive '**' mean the same as one and would only multiply NFA states.
      if (segment === '**' && previousAny) continue;
      previousAny = segment === '**';
      tokens.push(
        segment === '**' ? { kind: 'any' } : segment === '*' ? { kind: 'one' } : { kind: 'literal', value: segment },
      );
    }
    tokens.push({ kind: 'accept' });
  });

  const addWithClosure = (out: number[], position: number): void => {
    if (!out.includes(position)) out.push(position);
    // '**' may match zero segments, so the position after it is live as well.
    if (tokens[position]?.kind === 'any' && !out.includes(position + 1)) out.push(position + 1);
  };

  const start: number[] = [];
  for (const position of starts) addWithClosure(start, position);

  // Called for every key of every compared body: the common outcome (no pattern goes on
  // through this key) allocates nothing.
  const step = (state: PatternState, segment: string): PatternState => {
    if (state.length === 0) return DEAD;
    let out: number[] | null = null;
    for (let i = 0; i < state.length; i++) {
      const position = state[i]!;
      const token = tokens[position];
      if (token === undefined || token.kind === 'accept') continue;
      if (token.kind === 'any') addWithClosure(out ??= [], position);
      else if (token.kind === 'one' || token.value === segment) addWithClosure(out ??= [], position + 1);
    }
    return out === null ? DEAD : out;
  };

  const accepts = (state: PatternState): boolean => {
    for (let i = 0; i < state.length; i++) if (tokens[state[i]!]?.kind === 'accept') return true;
    return false;
  };

  return {
    size: patterns.length,
    start: start.length === 0 ? DEAD : start,
    step,
    accepts,
    matches(pointer: string): boolean {
      let state: PatternState = start;
      for (const segment of parsePointer(pointer)) state = step(state, segment);
      return accepts(state);
    },
  };
}

function parsePattern(pattern: string): string[] {
  if (typeof pattern !== 'string') throw new Error('pattern must be a string');
  if (pattern === '') return [];
  if (!pattern.startsWith('/')) throw new Error(`pattern '${pattern}' must be empty or start with '/'`);
  // Wildcards are recognised before unescaping, so '~1' inside a literal can never form one.
  return pattern
    .slice(1)
    .split('/')
    .map((segment) => (segment === '*' || segment === '**' ? segment : unescapeSegment(segment)));
}
