// Fixed-size ring of the most recent comparison results for one route: O(1) per record,
// memory bounded by `size`. Feeds /api/routes agreement and the guardrail.

export type ComparisonResult = 'match' | 'mismatch' | 'agent_error' | 'legacy_error' | 'skipped';
export const COMPARISON_RESULTS: readonly ComparisonResult[] = ['match', 'mismatch', 'agent_error', 'legacy_error', 'skipped'];

export interface WindowCounts {
  total: number;             // entries in the window, skipped ones excluded
  match: number;
  mismatch: number;
  agentError: number;
  legacyError: number;
  /** match / (match + mismatch); null until something was compared. */
  agreement: number | null;
  /** agent_error / (match + mismatch + agent_error); null when empty. */
  agentErrorRate: number | null;
}

export class ResultWindow {
  private ring: (ComparisonResult | undefined)[];
  private next = 0;
  private readonly counts = new Map<ComparisonResult, number>();

  constructor(public size: number) {
    this.ring = new Array(size);
  }

  record(result: ComparisonResult): void {
    if (result === 'skipped') return; // says nothing about the agent
    const old = this.ring[this.next];
    if (old !== undefined) this.counts.set(old, (this.counts.get(old) ?? 1) - 1);
    this.ring[this.next] = result;
    this.counts.set(result, (this.counts.get(result) ?? 0) + 1);
    this.next = (this.next + 1) % this.size;
  }

  /** Another size (config reload), in place: the newest results are kept. */
  resize(size: number): void {
    if (size === this.size) return;
    const entries: ComparisonResult[] = [];
    for (let i = 0; i < this.size; i++) {
      const r = this.ring[(this.next + i) % this.size];
      if (r !== undefined) entries.push(r);
    }
    this.size = size;
    this.ring = new Array(size);
    this.next = 0;
    this.counts.clear();
    for (const r of entries.slice(-size)) this.record(r);
  }

  snapshot(): WindowCounts {
    const match = this.counts.get('match') ?? 0;
    const mismatch = this.counts.get('mismatch') ?? 0;
    const agentError = this.counts.get('agent_error') ?? 0;
    const legacyError = this.counts.get('legacy_error') ?? 0;
    const compared = match + mismatch;
    const judged = compared + agentError;
    return {
      total: compared + agentError + legacyError, match, mismatch, agentError, legacyError,
      agreement: compared === 0 ? null : match / compared,
      agentErrorRate: judged === 0 ? null : agentError / judged,
    };
  }
}
