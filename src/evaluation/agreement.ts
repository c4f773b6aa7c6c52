// Raw and adjusted agreement over a route's recent comparisons: raw counts a comparison as
// agreeing only when it matched; adjusted also when it differed only in fields calibration
// judges noise. Feeds shadowgate_agreement_ratio{kind} and readiness.
import { BoolRing } from '../store/bool-ring.js';
import type { AgreementCounts } from './readiness.js';

export interface AgreementSnapshot {
  raw: AgreementCounts;
  adjusted: AgreementCounts;
}

export class AgreementWindow {
  private readonly raw: BoolRing;
  private readonly adjusted: BoolRing;

  constructor(readonly capacity: number) {
    this.raw = new BoolRing(capacity);
    this.adjusted = new BoolRing(capacity);
  }

  /** One match or mismatch; `noiseOnly` from NoiseCalibration.isNoiseOnly for mismatches. */
  record(match: boolean, noiseOnly = false): void {
    this.raw.push(match);
    this.adjusted.push(match || noiseOnly);
  }

  snapshot(): AgreementSnapshot {
    return { raw: { match: this.raw.trues, n: this.raw.size }, adjusted: { match: this.adjusted.trues, n: this.adjusted.size } };
  }

  /** The gauge values; null while empty. */
  ratios(): { raw: number | null; adjusted: number | null } {
    const s = this.snapshot();
    return { raw: s.raw.n === 0 ? null : s.raw.match / s.raw.n, adjusted: s.adjusted.n === 0 ? null : s.adjusted.match / s.adjusted.n };
  }

  clear(): void {
    this.raw.clear();
    this.adjusted.clear();
  }
}

/** Comparisons a route must keep for readiness: enough for every level's minSamples. */
export function readinessWindowSize(samplesWindow: number, promotion: Record<string, { minSamples: number }>): number {
  return Math.max(samplesWindow, ...Object.values(promotion).map((l) => l.minSamples));
}
