// The guardrail's trip decision as statistics: demote only when the data rule out an agent
// that is good enough. Agreement trips when even its Wilson UPPER bound is below
// minAgreement; the agent error rate when even its LOWER bound is above maxErrorRate.
// Checked over the whole guardrail window and over its most recent minSamples outcomes, so a
// sudden regression is seen within a few dozen requests although old good results fill the
// window, while a handful of unlucky requests never trips it.
import { BoolRing } from '../store/bool-ring.js';
import { wilsonInterval } from './statistics.js';

export interface TripOptions {
  minAgreement: number;
  maxErrorRate: number;
  /** Floor: no decision on fewer outcomes; also the length of the recent window. */
  minSamples: number;
  /** guardrail.confidence (two-sided interval, default 0.95). */
  confidence: number;
}

export interface OutcomeCounts {
  /** Agreement: comparisons that matched. Errors: agent calls that failed. */
  count: number;
  n: number;
}

export interface WindowCounts {
  /** The whole guardrail window. */
  window: OutcomeCounts;
  /** The most recent minSamples outcomes of it. */
  recent: OutcomeCounts;
}

export interface TripInput {
  agreement: WindowCounts;
  errors: WindowCounts;
}

/** A plain-sentence reason when the route must be demoted, else null. */
export function statisticalTrip(input: TripInput, options: TripOptions): string | null {
  const { minAgreement, maxErrorRate, minSamples, confidence } = options;
  for (const counts of [input.agreement.window, input.agreement.recent]) {
    if (counts.n < minSamples) continue;
    const ci = wilsonInterval(counts.count, counts.n, confidence);
    if (ci.upper < minAgreement) {
      return `agreement upper bound ${ci.upper.toFixed(3)} < ${minAgreement} over the last ${counts.n} comparisons (observed ${ci.observed!.toFixed(3)}, confidence ${confidence})`;
    }
  }
  for (const counts of [input.errors.window, input.errors.recent]) {
    if (counts.n < minSamples) continue;
    const ci = wilsonInterval(counts.count, counts.n, confidence);
    if (ci.lower > maxErrorRate) {
      return `agent error rate lower bound ${ci.lower.toFixed(3)} > ${maxErrorRate} over the last ${counts.n} calls (observed ${ci.observed!.toFixed(3)}, confidence ${confidence})`;
    }
  }
  return null;
}

/**
 * The stricter reading, for ending a probation: at least minSamples comparisons in the window,
 * the agreement's Wilson LOWER bound ≥ minAgreement and the error rate's UPPER bound ≤
 * maxErrorRate (the readiness rule). Not tripping only says the agent is not clearly bad.
 */
export function statisticalPass(input: TripInput, options: TripOptions): boolean {
  const { window: agreement } = input.agreement;
  const { window: errors } = input.errors;
  if (agreement.n < options.minSamples) return false;
  if (wilsonInterval(agreement.count, agreement.n, options.confidence).lower < options.minAgreement) return false;
  return errors.n === 0 || wilsonInterval(errors.count, errors.n, options.confidence).upper <= options.maxErrorRate;
}

/** Booleans over the guardrail window plus the most recent `recent` of them, O(1) per push. */
export class TripWindow {
  private readonly all: BoolRing;
  private readonly last: BoolRing;

  constructor(window: number, recent: number) {
    this.all = new BoolRing(window);
    this.last = new BoolRing(Math.min(window, recent));
  }

  push(value: boolean): void {
    this.all.push(value);
    this.last.push(value);
  }

  counts(): WindowCounts {
    return { window: { count: this.all.trues, n: this.all.size }, recent: { count: this.last.trues, n: this.last.size } };
  }

  clear(): void {
    this.all.clear();
    this.last.clear();
  }
}
