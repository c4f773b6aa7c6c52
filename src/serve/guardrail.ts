// Automatic rollback. Over a sliding window of recent agent outcomes it trips when the data
// rule out an agent that is good enough (evaluation/trip-rule.ts: the Wilson upper bound of
// agreement below minAgreement, or the lower bound of the error rate above maxErrorRate, over
// the whole window or its newest minSamples outcomes; minSamples is the floor). What a trip
// does (demote a serving route, or only warn about a shadow-only one) is the route control's
// decision, not this window's.
import { wilsonInterval } from '../evaluation/statistics.js';
import { statisticalPass, statisticalTrip, TripWindow, type TripOptions } from '../evaluation/trip-rule.js';

export interface GuardrailOptions { minAgreement: number; maxErrorRate: number; minSamples: number; window: number; coolDownMs: number; confidence: number }

export interface GuardrailStatus {
  demoted: boolean;
  reason: string | null;
  since: number | null;
  agreement: number | null;
  errorRate: number | null;
  comparisons: number;
  calls: number;
}

export class Guardrail {
  private agreements: TripWindow;
  private errors: TripWindow; // true = the call failed
  private demotedAt: number | null = null;
  private reason: string | null = null;

  constructor(private options: GuardrailOptions, private readonly now: () => number = Date.now) {
    this.agreements = new TripWindow(options.window, options.minSamples);
    this.errors = new TripWindow(options.window, options.minSamples);
  }

  /** New limits (config reload): the newest outcomes and any demotion are kept. */
  reconfigure(options: GuardrailOptions): void {
    if (options.window !== this.options.window || options.minSamples !== this.options.minSamples) {
      this.agreements = this.agreements.resized(options.window, options.minSamples);
      this.errors = this.errors.resized(options.window, options.minSamples);
    }
    this.options = options;
  }

  /** A legacy-vs-agent comparison (shadow or parallel serve). */
  recordComparison(match: boolean): void {
    this.agreements.push(match);
  }

  /** An agent call outcome (shadow or serve). */
  recordCall(failed: boolean): void {
    this.errors.push(failed);
  }

  private tripOptions(): TripOptions {
    const { minAgreement, maxErrorRate, minSamples, confidence } = this.options;
    return { minAgreement, maxErrorRate, minSamples, confidence };
  }

  /** Agreement over the window, or null before the first comparison. */
  agreement(): number | null {
    return this.agreements.size === 0 ? null : this.agreements.trues / this.agreements.size;
  }

  /** The Wilson lower bound of agreement over the window (what a probation waits for), or null before the first comparison. */
  agreementLower(): number | null {
    const { window } = this.agreements.counts();
    return window.n === 0 ? null : wilsonInterval(window.count, window.n, this.options.confidence).lower;
  }

  /** Why the window must demote the route now, or null (too few samples, or not clearly bad). Pure read. */
  check(): string | null {
    return statisticalTrip({ agreement: this.agreements.counts(), errors: this.errors.counts() }, this.tripOptions());
  }

  /**
   * What ends a probation: the readiness reading of the window (at least minSamples
   * comparisons, agreement's Wilson LOWER bound ≥ minAgreement, the error rate's UPPER bound ≤
   * maxErrorRate). Not tripping is not enough: after a demotion the agent must show it is good,
   * not only that it is not clearly bad (an agent at 85 % would not trip on 50 comparisons and
   * would be served again at once).
   */
  passes(): boolean {
    return statisticalPass({ agreement: this.agreements.counts(), errors: this.errors.counts() }, this.tripOptions());
  }

  demote(reason: string): void {
    this.demotedAt = this.now();
    this.reason = reason;
  }

  /** Demoted now? A passed cool-down lifts the demotion and starts a fresh window. */
  isDemoted(): boolean {
    if (this.demotedAt === null) return false;
    if (this.options.coolDownMs > 0 && this.now() - this.demotedAt >= this.options.coolDownMs) {
      this.reset();
      return false;
    }
    return true;
  }

  reset(): void {
    this.demotedAt = null;
    this.reason = null;
    this.agreements.clear();
    this.errors.clear();
  }

  status(): GuardrailStatus {
    const demoted = this.isDemoted();
    return {
      demoted, reason: this.reason, since: this.demotedAt,
      agreement: this.agreements.size ? this.agreements.trues / this.agreements.size : null,
      errorRate: this.errors.size ? this.errors.trues / this.errors.size : null,
      comparisons: this.agreements.size, calls: this.errors.size,
    };
  }
}
