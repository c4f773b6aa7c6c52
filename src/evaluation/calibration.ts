// Noise calibration for one route: sliding windows of the last `window` comparisons of each
// kind (legacy vs agent, legacy vs legacy, agent vs agent) with per-field difference counts,
// classified on demand by the rule in field-verdict.ts. O(fields of the comparison) per record;
// memory bounded by window × (maxFields + 1) per kind.
import type { CompareOutcome } from '../compare/types.js';
import { compilePatterns, type PatternSet } from '../compare/pointer.js';
import { classifyField, suggestionFor, type DifferenceCounts, type FieldEvidence, type FieldVerdict } from './field-verdict.js';

export type CalibrationKind = 'raw' | 'legacyNoise' | 'agentNoise';
export const CALIBRATION_KINDS: readonly CalibrationKind[] = ['raw', 'legacyNoise', 'agentNoise'];
/** Label of the fields past the per-route bound, as on shadowgate_mismatch_fields_total. */
export const OTHER_FIELD = 'other';

export interface CalibrationOptions {
  /** calibration.window: comparisons of each kind kept. */
  window: number;
  /** calibration.minSamples */
  minSamples: number;
  /** calibration.alpha */
  alpha: number;
  /** Distinct fields tracked per route (metrics.maxFieldsPerRoute); later ones count as "other". */
  maxFields: number;
  /** The route's compare.ignore patterns: fields they match are not listed. */
  ignore?: readonly string[];
  /** Called when a field is folded into "other" (shadowgate_label_overflow_total). */
  onOverflow?: () => void;
}

export interface RateReport extends DifferenceCounts { rate: number | null }

export interface FieldReport {
  pointer: string;
  raw: RateReport;
  legacyNoise: RateReport;
  agentNoise: RateReport;
  verdict: FieldVerdict;
  suggestion: string;
}

/** The body of GET /api/routes/:name/fields. */
export interface FieldsResponse {
  route: string;
  fields: FieldReport[];
}

const NO_FIELDS: readonly number[] = Object.freeze([]);

/** One kind's window: a ring of field-id lists, and per field id the count over the ring. */
class FieldWindow {
  private readonly ring: (readonly number[] | undefined)[];
  private next = 0;
  total = 0;
  readonly counts: number[] = [];

  constructor(private readonly capacity: number) {
    this.ring = new Array(capacity);
  }

  push(ids: readonly number[]): void {
    const old = this.ring[this.next];
    if (old !== undefined) {
      for (const id of old) this.counts[id] = (this.counts[id] ?? 1) - 1;
      this.total--;
    }
    this.ring[this.next] = ids;
    for (const id of ids) this.counts[id] = (this.counts[id] ?? 0) + 1;
    this.total++;
    this.next = (this.next + 1) % this.capacity;
  }

  count(id: number | undefined): DifferenceCounts {
    return { differs: id === undefined ? 0 : this.counts[id] ?? 0, total: this.total };
  }
}

export class NoiseCalibration {
  private readonly windows: Record<CalibrationKind, FieldWindow>;
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];
  /** Distinct fields interned, "other" not included. */
  private tracked = 0;
  private ignore: PatternSet;

  constructor(readonly route: string, private readonly options: CalibrationOptions) {
    for (const [key, value] of [['window', options.window], ['minSamples', options.minSamples], ['maxFields', options.maxFields]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`calibration ${key} must be an integer >= 1, got ${value}`);
    }
    this.windows = { raw: new FieldWindow(options.window), legacyNoise: new FieldWindow(options.window), agentNoise: new FieldWindow(options.window) };
    this.ignore = compilePatterns(options.ignore ?? [], 'compare.ignore');
  }

  /** One comparison of `kind`, with the fields that differed (Difference.field values; [] for a match). */
  record(kind: CalibrationKind, differingFields: readonly string[]): void {
    this.windows[kind].push(differingFields.length === 0 ? NO_FIELDS : this.idsOf(differingFields));
  }

  /** Comparisons of `kind` in the window. */
  samples(kind: CalibrationKind): number {
    return this.windows[kind].total;
  }

  /** The route's ignore rules changed (live config): listing and isNoiseOnly follow them. */
  setIgnore(patterns: readonly string[]): void {
    this.ignore = compilePatterns(patterns, 'compare.ignore');
  }

  verdict(field: string): FieldVerdict {
    return classifyField(this.evidence(this.ids.get(field)), this.options);
  }

  /**
   * True when a mismatch differs only in fields judged `noise` now (or ignored by the current
   * rules): the adjusted agreement counts it as a match. False for [] (a match is no mismatch),
   * when the differences were cut at maxDifferences (unknown fields may differ), and for any
   * field folded into "other".
   */
  isNoiseOnly(differingFields: readonly string[], options: { truncated?: boolean } = {}): boolean {
    if (differingFields.length === 0 || options.truncated) return false;
    for (const field of differingFields) {
      if (this.isIgnored(field)) continue;
      const id = this.ids.get(field);
      if (id === undefined || field === OTHER_FIELD) return false;
      if (classifyField(this.evidence(id), this.options) !== 'noise') return false;
    }
    return true;
  }

  /** GET /api/routes/:name/fields: every field seen in the current windows and not ignored by the rules. */
  fields(): FieldsResponse {
    const fields: FieldReport[] = [];
    this.names.forEach((pointer, id) => {
      const evidence = this.evidence(id);
      if (evidence.raw.differs + evidence.legacyNoise.differs + evidence.agentNoise.differs === 0) return; // aged out
      if (this.isIgnored(pointer)) return;
      const verdict = classifyField(evidence, this.options);
      fields.push({
        pointer,
        raw: rate(evidence.raw), legacyNoise: rate(evidence.legacyNoise), agentNoise: rate(evidence.agentNoise),
        verdict, suggestion: suggestionFor(pointer, verdict, evidence, this.options, OTHER_FIELD),
      });
    });
    fields.sort((a, b) => b.raw.differs - a.raw.differs || b.legacyNoise.differs - a.legacyNoise.differs || (a.pointer < b.pointer ? -1 : a.pointer > b.pointer ? 1 : 0));
    return { route: this.route, fields };
  }

  private evidence(id: number | undefined): FieldEvidence {
    return { raw: this.windows.raw.count(id), legacyNoise: this.windows.legacyNoise.count(id), agentNoise: this.windows.agentNoise.count(id) };
  }

  private isIgnored(field: string): boolean {
    if (this.ignore.size === 0 || !field.startsWith('/')) return false;
    try {
      return this.ignore.matches(field);
    } catch {
      return false; // a label that is not a valid pointer cannot be ignored by a pointer rule
    }
  }

  /** Ids of the distinct fields, bounded like the mismatch metric's labels. */
  private idsOf(fields: readonly string[]): number[] {
    const out: number[] = [];
    for (const field of fields) {
      let id = this.ids.get(field);
      if (id === undefined) {
        if (this.tracked < this.options.maxFields && field !== OTHER_FIELD) {
          id = this.intern(field);
          this.tracked++;
        } else {
          if (field !== OTHER_FIELD) this.options.onOverflow?.();
          id = this.ids.get(OTHER_FIELD) ?? this.intern(OTHER_FIELD);
        }
      }
      if (!out.includes(id)) out.push(id); // a field counts once per comparison
    }
    return out;
  }

  private intern(field: string): number {
    const id = this.names.length;
    this.names.push(field);
    this.ids.set(field, id);
    return id;
  }
}

function rate(counts: DifferenceCounts): RateReport {
  return { differs: counts.differs, total: counts.total, rate: counts.total === 0 ? null : counts.differs / counts.total };
}

/** The distinct Difference.field values of an outcome, in order; what record() and isNoiseOnly() take. */
export function differingFields(outcome: Pick<CompareOutcome, 'differences'> | undefined): string[] {
  const out: string[] = [];
  for (const d of outcome?.differences ?? []) if (!out.includes(d.field)) out.push(d.field);
  return out;
}
