// Reads and validates a flag set in the shape of Unleash's `GET /api/client/features`.
// Rule: reject only what would crash unleash-client or silently misroute (a rollout that is
// not a percentage, a duplicate name, a non-boolean `enabled`); everything else — an operator
// or strategy this SDK does not know, a missing segment or parent flag — is evaluated exactly
// as unleash-client does and reported as a warning (flag-warnings.ts). Unknown keys are kept
// (the server sends many: type, project, meta, …); every problem is reported with its JSON path.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ClientFeaturesResponse } from 'unleash-client';
import { FlagsError } from './errors.js';

/** A validated flag set, ready to hand to unleash-client as bootstrap data. */
export type FlagSet = Required<Pick<ClientFeaturesResponse, 'version' | 'features' | 'segments'>>;

/** Strategies built into unleash-client; any other name evaluates to false (the SDK warns once). */
export const KNOWN_STRATEGIES = [
  'default',
  'applicationHostname',
  'gradualRolloutRandom',
  'gradualRolloutUserId',
  'gradualRolloutSessionId',
  'userWithId',
  'remoteAddress',
  'flexibleRollout',
] as const;

/** The parameter holding the percentage, per rollout strategy. */
export const ROLLOUT_PARAMETER: Readonly<Record<string, string>> = {
  flexibleRollout: 'rollout',
  gradualRolloutRandom: 'percentage',
  gradualRolloutUserId: 'percentage',
  gradualRolloutSessionId: 'percentage',
};

/** Parameters the built-in strategies call string methods on (`.split`, `.toLowerCase`): another type would throw. */
const STRING_PARAMETERS: Readonly<Record<string, string>> = {
  userWithId: 'userIds',
  remoteAddress: 'IPs',
  applicationHostname: 'hostNames',
};

/** Operators unleash-client 6 evaluates; any other makes that constraint false (as the SDK does). */
export const KNOWN_OPERATORS: ReadonlySet<string> = new Set([
  'IN', 'NOT_IN', 'STR_ENDS_WITH', 'STR_STARTS_WITH', 'STR_CONTAINS',
  'NUM_EQ', 'NUM_GT', 'NUM_GTE', 'NUM_LT', 'NUM_LTE', 'DATE_AFTER', 'DATE_BEFORE',
  'SEMVER_EQ', 'SEMVER_GT', 'SEMVER_LT', 'SEMVER_GTE', 'SEMVER_LTE', 'REGEX', 'IN_CIDR',
]);

const constraint = z.looseObject({
  contextName: z.string().min(1),
  // Any name: one this SDK does not know is false for that constraint (a newer server may add operators).
  operator: z.string().min(1),
  // The SDK calls .trim() on each value: a missing list or a non-string entry would throw.
  values: z.array(z.string()).default([]),
  value: z.union([z.string(), z.number()]).optional(),
  inverted: z.boolean().default(false),
  caseInsensitive: z.boolean().optional(),
});

const variant = z.looseObject({
  name: z.string().min(1),
  weight: z.number(),
  stickiness: z.string().optional(),
  payload: z.looseObject({ type: z.string(), value: z.string() }).optional(),
  overrides: z.array(z.looseObject({ contextName: z.string(), values: z.array(z.string()) })).optional(),
});

const strategy = z
  .looseObject({
    // Any name: one this SDK does not know is off (a custom strategy defined in Unleash).
    name: z.string().min(1),
    // unleash-client reads parameters.* unguarded: a missing object would throw at evaluation.
    parameters: z.record(z.string(), z.unknown()).default({}),
    constraints: z.array(constraint).default([]),
    segments: z.array(z.number().int()).optional(),
    variants: z.array(variant).optional(),
  })
  .superRefine((s, ctx) => {
    const param = ROLLOUT_PARAMETER[s.name];
    if (param !== undefined && parsePercent(s.parameters[param]) === null) {
      ctx.addIssue({ code: 'custom', path: ['parameters', param], message: 'expected a number-like string 0..100' });
    }
    const text = STRING_PARAMETERS[s.name];
    if (text !== undefined && s.parameters[text] !== undefined && typeof s.parameters[text] !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['parameters', text], message: 'expected a comma-separated string' });
    }
    for (const key of ['stickiness', 'groupId']) {
      const v = s.parameters[key];
      if (v !== undefined && typeof v !== 'string') ctx.addIssue({ code: 'custom', path: ['parameters', key], message: 'expected a string' });
    }
  });

const feature = z.looseObject({
  name: z.string().min(1),
  enabled: z.boolean(),
  strategies: z.array(strategy),
  variants: z.array(variant).optional(),
  dependencies: z
    .array(z.looseObject({ feature: z.string().min(1), enabled: z.boolean().optional(), variants: z.array(z.string()).optional() }))
    .optional(),
});

const flagSet = z
  .looseObject({
    version: z.number(),
    features: z.array(feature),
    segments: z.array(z.looseObject({ id: z.number().int(), constraints: z.array(constraint) })).default([]),
  })
  .superRefine((doc, ctx) => {
    const seen = new Map<string, number>();
    doc.features.forEach((f, i) => {
      const first = seen.get(f.name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['features', i, 'name'], message: `duplicate flag "${f.name}" (first at features[${first}])` });
      } else {
        seen.set(f.name, i);
      }
    });
  });

/** "25" or 25 ⇒ 25; anything outside 0..100 or not a plain number ⇒ null. */
export function parsePercent(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+(\.\d+)?$/.test(text.trim())) return null;
  const n = Number(text);
  return n >= 0 && n <= 100 ? n : null;
}

/** Validates JSON text; `label` names the source in messages (the file path). */
export function parseFlagSet(text: string, label: string): FlagSet {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new FlagsError('FLAGS_FILE_INVALID', `${label}: not valid JSON: ${describeJsonError(text, (err as Error).message)}`);
  }
  return validateFlagSet(raw, label);
}

/** Validates an already-parsed document (a file's JSON, or what an Unleash server sent). */
export function validateFlagSet(raw: unknown, label: string): FlagSet {
  const result = flagSet.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${label}: ${jsonPath(issue.path) || '(root)'}: ${issue.message}`);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
    throw new FlagsError('FLAGS_FILE_INVALID', `${problems[0]}${more}`, problems);
  }
  // The zod output keeps unknown keys and fills the defaults above; its types are looser than
  // unleash-client's (e.g. operator is any string, not the SDK's enum), hence the cast.
  const { version, features, segments } = result.data;
  return { version, features, segments } as unknown as FlagSet;
}

/**
 * JSON.parse says "at position 219" (or nothing, at the end of the input): an editor wants a
 * line and a column, and the line itself with a caret under the spot.
 */
export function describeJsonError(text: string, message: string): string {
  const m = /at position (\d+)/.exec(message);
  const position = m?.[1] !== undefined ? Math.min(Number(m[1]), text.length) : text.length;
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = position - lineStart + 1;
  const lineEnd = text.indexOf('\n', lineStart);
  const source = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).replace(/\r$/, '');
  const reason = message.replace(/\s*(in JSON )?at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
  // Long lines (minified JSON) are cut around the spot so the caret stays readable.
  const from = Math.max(0, column - 60);
  const shown = source.slice(from, from + 120);
  return `${reason} at line ${line}, column ${column}\n  ${shown}\n  ${' '.repeat(column - 1 - from)}^`;
}

export async function readFlagFile(path: string): Promise<FlagSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : `cannot read: ${(err as Error).message}`;
    throw new FlagsError('FLAGS_FILE_INVALID', `${path}: ${reason}`);
  }
  return parseFlagSet(text, path);
}

function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const name = String(key);
    return /^[A-Za-z_$][\w$]*$/.test(name) ? (out ? `${out}.${name}` : name) : `${out}[${JSON.stringify(name)}]`;
  }, '');
}
