// Reads and validates a flag set in the shape of Unleash's `GET /api/client/features`.
// Unknown keys are kept (the server sends many: type, project, meta, …); what the strategy
// engine relies on is checked, and every problem is reported with its JSON path.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ClientFeaturesResponse } from 'unleash-client';
import { FlagsError } from './errors.js';

/** A validated flag set, ready to hand to unleash-client as bootstrap data. */
export type FlagSet = Required<Pick<ClientFeaturesResponse, 'version' | 'features' | 'segments'>>;

/** Strategies built into unleash-client; any other name would silently evaluate to false. */
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

const OPERATORS = [
  'IN', 'NOT_IN', 'STR_ENDS_WITH', 'STR_STARTS_WITH', 'STR_CONTAINS',
  'NUM_EQ', 'NUM_GT', 'NUM_GTE', 'NUM_LT', 'NUM_LTE', 'DATE_AFTER', 'DATE_BEFORE',
  'SEMVER_EQ', 'SEMVER_GT', 'SEMVER_LT', 'SEMVER_GTE', 'SEMVER_LTE', 'REGEX', 'IN_CIDR',
] as const;

const constraint = z.looseObject({
  contextName: z.string().min(1),
  operator: z.enum(OPERATORS),
  values: z.array(z.string()).default([]),
  value: z.union([z.string(), z.number()]).optional(),
  inverted: z.boolean().default(false),
  caseInsensitive: z.boolean().optional(),
});

const parameterValue = z.union([z.string(), z.number(), z.boolean()]);

const variant = z.looseObject({
  name: z.string().min(1),
  weight: z.number(),
  stickiness: z.string().optional(),
  payload: z.looseObject({ type: z.string(), value: z.string() }).optional(),
  overrides: z.array(z.looseObject({ contextName: z.string(), values: z.array(z.string()) })).optional(),
});

const strategy = z
  .looseObject({
    name: z.string().min(1),
    // unleash-client reads parameters.* unguarded: a missing object would throw at evaluation.
    parameters: z.record(z.string(), parameterValue).default({}),
    constraints: z.array(constraint).default([]),
    segments: z.array(z.number().int()).optional(),
    variants: z.array(variant).optional(),
  })
  .superRefine((s, ctx) => {
    if (!(KNOWN_STRATEGIES as readonly string[]).includes(s.name)) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `unknown strategy "${s.name}" (known: ${KNOWN_STRATEGIES.join(', ')})` });
    }
    const param = ROLLOUT_PARAMETER[s.name];
    if (param !== undefined && parsePercent(s.parameters[param]) === null) {
      ctx.addIssue({ code: 'custom', path: ['parameters', param], message: 'expected a number-like string 0..100' });
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
    const segmentIds = new Set(doc.segments.map((s) => s.id));
    doc.features.forEach((f, i) =>
      f.strategies.forEach((s, j) =>
        s.segments?.forEach((id, k) => {
          if (!segmentIds.has(id)) {
            ctx.addIssue({ code: 'custom', path: ['features', i, 'strategies', j, 'segments', k], message: `segment ${id} is not defined in segments` });
          }
        }),
      ),
    );
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
    throw new FlagsError('FLAGS_FILE_INVALID', `${label}: not valid JSON: ${(err as Error).message}`);
  }
  const result = flagSet.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${label}: ${jsonPath(issue.path) || '(root)'}: ${issue.message}`);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
    throw new FlagsError('FLAGS_FILE_INVALID', `${problems[0]}${more}`, problems);
  }
  // The zod output keeps unknown keys and fills the defaults above; its types are looser than
  // unleash-client's (e.g. operator is a string union, not the SDK's enum), hence the cast.
  const { version, features, segments } = result.data;
  return { version, features, segments } as unknown as FlagSet;
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
