// What a flag set holds that unleash-client evaluates but does not understand: an operator
// or strategy it does not know, a segment or parent flag that is not in the set. Each makes
// something false, exactly as the SDK decides; an operator should still hear about it, once
// per flag version, and a metric counts it (shadowgate_flags_warnings_total{kind}).
import type { ClientFeaturesResponse } from 'unleash-client';
import { KNOWN_OPERATORS, KNOWN_STRATEGIES } from './flag-file.js';
import type { FlagLogger } from './source.js';

/** `invalid`: the Unleash server sent what a flags file would be rejected for (the SDK evaluates it as sent). */
export const FLAG_WARNING_KINDS = ['unknown_operator', 'unknown_strategy', 'missing_segment', 'missing_dependency', 'invalid'] as const;
export type FlagWarningKind = (typeof FLAG_WARNING_KINDS)[number];

export interface FlagWarning {
  kind: FlagWarningKind;
  /** The flag it concerns, or `segment <id>` for a segment's own constraints. */
  flag: string;
  /** Where, as a JSON path into the flag set. */
  path: string;
  /** What the SDK does about it, for the log line. */
  message: string;
}

type Feature = ClientFeaturesResponse['features'][number];
interface Constraint { contextName?: unknown; operator?: unknown }
interface Segment { id: number; constraints?: Constraint[] }

const STRATEGIES: ReadonlySet<string> = new Set(KNOWN_STRATEGIES);

/** Pure: the warnings of a flag set, in document order. `segments` are those the evaluator holds. */
export function inspectFlagSet(features: readonly Feature[], segments: readonly Segment[]): FlagWarning[] {
  const out: FlagWarning[] = [];
  const names = new Set(features.map((f) => f.name));
  const segmentIds = new Set(segments.map((s) => s.id));
  const constraintWarnings = (flag: string, path: string, constraints: readonly Constraint[] | undefined) =>
    (constraints ?? []).forEach((c, k) => {
      if (typeof c.operator === 'string' && !KNOWN_OPERATORS.has(c.operator)) {
        out.push({ kind: 'unknown_operator', flag, path: `${path}.constraints[${k}].operator`, message: `unknown constraint operator "${c.operator}": unleash-client evaluates this constraint as false` });
      }
    });
  features.forEach((f, i) => {
    (f.strategies ?? []).forEach((s, j) => {
      const path = `features[${i}].strategies[${j}]`;
      if (!STRATEGIES.has(s.name)) {
        out.push({ kind: 'unknown_strategy', flag: f.name, path: `${path}.name`, message: `unknown strategy "${s.name}": unleash-client skips it (off for everyone)` });
      }
      constraintWarnings(f.name, path, s.constraints as Constraint[] | undefined);
      ((s as { segments?: number[] }).segments ?? []).forEach((id, k) => {
        if (!segmentIds.has(id)) {
          out.push({ kind: 'missing_segment', flag: f.name, path: `${path}.segments[${k}]`, message: `segment ${id} is not defined: unleash-client evaluates this strategy as off` });
        }
      });
    });
    (f.dependencies ?? []).forEach((d, k) => {
      if (!names.has(d.feature)) {
        out.push({ kind: 'missing_dependency', flag: f.name, path: `features[${i}].dependencies[${k}]`, message: `parent flag "${d.feature}" is not defined: unleash-client evaluates this flag as off` });
      }
    });
  });
  segments.forEach((s, i) => constraintWarnings(`segment ${s.id}`, `segments[${i}]`, s.constraints));
  return out;
}

export type FlagWarningListener = (warning: FlagWarning) => void;

/**
 * Logs and reports each warning once per version of what it concerns: a reload that leaves a
 * flag unchanged does not repeat its warnings; a changed flag (a new version) reports them again.
 */
export class FlagWarningReporter {
  private shown = new Set<string>();

  constructor(
    private readonly log: FlagLogger,
    private readonly source: Record<string, unknown>,
    private readonly onWarning: FlagWarningListener | undefined,
  ) {}

  report(features: readonly Feature[], segments: readonly Segment[]): FlagWarning[] {
    const warnings = inspectFlagSet(features, segments);
    const byName = new Map(features.map((f) => [f.name, f]));
    const bySegment = new Map(segments.map((s) => [`segment ${s.id}`, s]));
    const current = new Set<string>();
    for (const w of warnings) {
      // The definition is part of the key: an edited flag is a new version and warns again;
      // the path is not (a flag moved in the file is the same version).
      const key = `${w.kind}\0${w.flag}\0${w.message}\0${JSON.stringify(byName.get(w.flag) ?? bySegment.get(w.flag) ?? null)}`;
      current.add(key);
      if (this.shown.has(key)) continue;
      this.log.warn({ ...this.source, flag: w.flag, kind: w.kind, path: w.path }, `flags: ${w.flag}: ${w.message}`);
      try {
        this.onWarning?.(w);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'flags warning listener threw');
      }
    }
    this.shown = current;
    return warnings;
  }
}
