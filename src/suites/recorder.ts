// What the comparison recorder and the review endpoint call: per-route sampling into the
// golden suite, and verdicts appended beside the cases they judge (or the case written then,
// with its verdict, when it was not recorded).
import { LRUCache } from 'lru-cache';
import type { RecordConfig } from '../config/schema.js';
import type { Redactor } from '../store/redact.js';
import type { Sample } from '../store/samples.js';
import type { Verdict } from './format.js';
import { buildSuiteRecord, suiteRecordFromSample, type SuiteRecordInput } from './record.js';
import type { SuiteWriter } from './writer.js';

export type RecordOutcome = 'written' | 'dropped' | 'sampled_out' | 'off';

export interface SuiteRecorderDeps {
  writer: SuiteWriter;
  redactor: Redactor;
  /** Each route's `record` block; routes without one record nothing (and keep no verdicts on disk). */
  routes: Readonly<Record<string, RecordConfig | undefined>>;
  random?: () => number;
  /** Recorded ids remembered, so a verdict knows whether its case is on disk (samples.max is enough). */
  rememberIds?: number;
}

export class SuiteRecorder {
  private readonly recorded: LRUCache<string, true>;
  private readonly random: () => number;

  constructor(private readonly deps: SuiteRecorderDeps) {
    this.recorded = new LRUCache({ max: deps.rememberIds ?? 10_000 });
    this.random = deps.random ?? Math.random;
  }

  /** After a comparison: records it with probability record.percent. Cheap when the route does not record. */
  record(input: SuiteRecordInput): RecordOutcome {
    const config = this.deps.routes[input.route];
    if (!config) return 'off';
    if (config.percent < 100 && !(this.random() * 100 < config.percent)) return 'sampled_out';
    const built = buildSuiteRecord(input, this.deps.redactor, config.maxBodyBytes);
    if (!built.ok) { this.deps.writer.countDropped(input.route); return 'dropped'; }
    if (!this.deps.writer.write(built.record)) return 'dropped';
    this.recorded.set(input.id, true);
    return 'written';
  }

  /**
   * A review verdict on a sample: a verdict line when its case was recorded, else the case
   * itself (built from the stored sample) carrying the verdict. Returns what was written.
   */
  verdict(sample: Sample, verdict: Verdict, at: string = new Date().toISOString(), query = ''): 'line' | 'case' | 'line_only' | 'off' {
    if (!this.deps.routes[sample.route]) return 'off';
    if (this.recorded.has(sample.id)) {
      this.deps.writer.verdict(sample.route, { id: sample.id, verdict, at });
      return 'line';
    }
    const record = suiteRecordFromSample(sample, verdict, this.deps.redactor, query);
    if (record && this.deps.writer.write(record)) {
      this.recorded.set(sample.id, true);
      return 'case';
    }
    // The case cannot be replayed (a body was cut) or the queue is full: the verdict still survives.
    this.deps.writer.verdict(sample.route, { id: sample.id, verdict, at });
    return 'line_only';
  }
}
