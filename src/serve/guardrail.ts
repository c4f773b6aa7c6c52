// Automatic rollback. Over a sliding window of recent agent outcomes (with a minimum
// sample count), agreement below minAgreement or agent error rate above maxErrorRate
// trips the guardrail. What a trip does (demote a serving route, or only warn about a
// shadow-only one) is the route control's decision, not this window's.
import { BoolRing } from '../store/bool-ring.js';

export interface GuardrailOptions { minAgreement: number; maxErrorRate: number; minSamples: number; window: number; coolDownMs: number }

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
  private agreements: BoolRing;
  private errors: BoolRing; // true = the call failed
  private demotedAt: number | null = null;
  private reason: string | null = null;

  constructor(private options: GuardrailOptions, private readonly now: () => number = Date.now) {
    this.agreements = new BoolRing(options.window);
    this.errors = new BoolRing(options.window);
  }

  /** New limits (config reload): the newest outcomes and any demotion are kept. */
  reconfigure(options: GuardrailOptions): void {
    if (options.window !== this.options.window) {
      this.agreements = this.agreements.resized(options.window);
      this.errors = this.errors.resized(options.window);
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

  /** Why the window fails the guardrail now, or null when it passes (or has too few samples). Pure read. */
  check(): string | null {
    const { minSamples, minAgreement, maxErrorRate } = this.options;
    if (this.agreements.size >= minSamples && this.agreements.trues / this.agreements.size < minAgreement) {
      return `agreement ${(this.agreements.trues / this.agreements.size).toFixed(3)} < ${minAgreement} over ${this.agreements.size} comparisons`;
    }
    if (this.errors.size >= minSamples && this.errors.trues / this.errors.size > maxErrorRate) {
      return `agent error rate ${(this.errors.trues / this.errors.size).toFixed(3)} > ${maxErrorRate} over ${this.errors.size} calls`;
    }
    return null;
  }

  /** Agreement over the window, or null before the first comparison. */
  agreement(): number | null {
    return this.agreements.size === 0 ? null : this.agreements.trues / this.agreements.size;
  }

  /** Enough comparisons in the window, and it passes: what ends a probation. */
  passes(): boolean {
    return this.agreements.size >= this.options.minSamples && this.check() === null;
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
