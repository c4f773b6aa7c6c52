// Turns schema issues into problems a person can act on: the key path, what was expected,
// the value received (never a secret's), and the nearest known key or value for a typo.
import type { z } from 'zod';

/** One thing wrong with a config, at a key path ("routes[0].compare.ignore"). */
export interface ConfigProblem {
  path: string;
  message: string;
  /** 1-based line in the config file, when the key can be found there. */
  line?: number;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** "file: N configuration problem(s):" and one indented line per problem; the file is named once. */
export function formatProblems(source: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.path || '(top level)'}${p.line === undefined ? '' : ` (line ${p.line})`}: ${p.message}`);
  return `${source}: ${problems.length} configuration problem(s):\n${lines.join('\n')}`;
}

type Issue = z.core.$ZodIssue & { input?: unknown };
type AnySchema = z.core.$ZodType;

/** One or more problems for one zod issue (an unknown-keys issue names several keys). */
export function problemsOfIssue(issue: Issue, root: AnySchema): { path: PropertyKey[]; message: string }[] {
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(root, issue.path);
    return issue.keys.map((key) => ({ path: [...issue.path, key], message: unknownKey(key, known) }));
  }
  return [{ path: issue.path, message: describe(issue, root) }];
}

function unknownKey(key: string, known: readonly string[]): string {
  const near = nearest(key, known);
  if (near !== undefined) return `unknown key, did you mean "${near}"?`;
  return known.length > 0 && known.length <= 12 ? `unknown key (known here: ${known.join(', ')})` : 'unknown key';
}

function describe(issue: Issue, root: AnySchema): string {
  const secret = isSecretPath(issue.path);
  const got = () => (secret ? 'a value (not shown: secret)' : show(issue.input));
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `missing (expected ${issue.expected})`;
      return `expected ${issue.expected}, received ${typeName(issue.input)}${secret || isObject(issue.input) ? '' : ` ${show(issue.input)}`}`;
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const near = typeof issue.input === 'string' ? nearest(issue.input, issue.values.filter((v): v is string => typeof v === 'string')) : undefined;
      return `expected ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}, received ${got()}${near === undefined ? '' : `; did you mean "${near}"?`}`;
    }
    case 'too_big':
    case 'too_small': {
      if (issue.origin !== 'number' && issue.origin !== 'int') return withInput(explain(issue.message), issue, secret);
      const limit = issue.code === 'too_big' ? issue.maximum : issue.minimum;
      const op = issue.code === 'too_big' ? (issue.inclusive ? '<=' : '<') : (issue.inclusive ? '>=' : '>');
      return `expected a number ${op} ${String(limit)}, received ${got()}`;
    }
    case 'invalid_union':
      return `${unionExpectation(issue, root)}, received ${got()}`;
    default:
      return withInput(explain(issue.message), issue, secret);
  }
}

function withInput(message: string, issue: Issue, secret: boolean): string {
  // Only plain values: a refinement on a list reports the whole list as its input.
  if (issue.input === undefined || secret || (issue.input !== null && typeof issue.input === 'object')) return message;
  const shown = show(issue.input);
  // Messages that quote the value already (route patterns) need it no second time.
  if (message.includes(shown) || (typeof issue.input === 'string' && message.includes(`"${issue.input}"`))) return message;
  return `${message}, received ${shown}`;
}

function unionExpectation(issue: Extract<Issue, { code: 'invalid_union' }>, root: AnySchema): string {
  const options = unionOptionsAt(root, issue.path);
  const objects = options.map((o) => objectKeys(o)).filter((k): k is string[] => k !== undefined);
  if (objects.length > 0 && objects.length === options.length) {
    const shapes = objects.map((keys) => `{ ${keys.join(', ')} }`);
    let hint = '';
    if (isObject(issue.input)) {
      const all = objects.flat();
      const typo = Object.keys(issue.input).map((k) => (all.includes(k) ? undefined : nearest(k, all))).find((n) => n !== undefined);
      if (typo !== undefined) hint = ` (did you mean "${typo}"?)`;
    }
    return `expected ${shapes.join(' or ')}${hint}`;
  }
  const branches = issue.errors.map((errs) => explain(errs[0]?.message ?? 'something else').replace(/^expected /, ''));
  return `expected ${[...new Set(branches)].join(' or ')}`;
}

function explain(message: string): string {
  return message.replace(/^Invalid input: /, '');
}

const SECRET_KEY = /token|secret|password|passwd/i;

function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.some((p) => typeof p === 'string' && SECRET_KEY.test(p));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** A short, safe rendering of a received value: JSON, cut at 60 characters, URL passwords masked. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  text = text.replace(/(\/\/[^/:@\s"]*:)[^/@\s"]*@/g, '$1***@');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

// --- what the schema knows at a key path ------------------------------------------------

function defOf(schema: AnySchema): { type: string; [k: string]: unknown } {
  return (schema as unknown as { _zod: { def: { type: string } } })._zod.def;
}

/** Unwraps optional/default/prefault/pipe layers down to the schema that holds the shape. */
function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(s);
    if (['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(def.type)) s = def.innerType as AnySchema;
    else if (def.type === 'pipe') s = (defOf(def.out as AnySchema).type === 'transform' ? def.in : def.out) as AnySchema;
    else return s;
  }
  return s;
}

function childrenAt(root: AnySchema, path: readonly PropertyKey[]): AnySchema[] {
  let current: AnySchema[] = [root];
  for (const seg of path) {
    const next: AnySchema[] = [];
    for (const s of current.map(unwrap)) {
      const def = defOf(s);
      if (def.type === 'object' && typeof seg === 'string') {
        const child = (def.shape as Record<string, AnySchema>)[seg];
        if (child) next.push(child);
      } else if (def.type === 'array' && typeof seg === 'number') {
        next.push(def.element as AnySchema);
      } else if (def.type === 'union') {
        for (const o of def.options as AnySchema[]) next.push(...childrenAt(o, [seg]));
      }
    }
    current = next;
  }
  return current.map(unwrap);
}

function objectKeys(schema: AnySchema): string[] | undefined {
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? Object.keys(def.shape as object) : undefined;
}

/** Keys the schema accepts for the object at `path` (union branches merged). */
export function keysAt(root: AnySchema, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const s of childrenAt(root, path)) {
    const def = defOf(s);
    const options = def.type === 'union' ? (def.options as AnySchema[]) : [s];
    for (const o of options) for (const k of objectKeys(o) ?? []) keys.add(k);
  }
  return [...keys];
}

function unionOptionsAt(root: AnySchema, path: readonly PropertyKey[]): AnySchema[] {
  for (const s of childrenAt(root, path)) {
    const def = defOf(s);
    if (def.type === 'union') return def.options as AnySchema[];
  }
  return [];
}

// --- nearest word ---------------------------------------------------------------------------

/** The candidate closest to `word` when it is plausibly a typo of it (case, a letter or two). */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const d = c.toLowerCase() === lower ? 0 : distance(lower, c.toLowerCase());
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(word.length / 4)));
  return bestDistance <= allowed ? best : undefined;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
