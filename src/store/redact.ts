// Everything that leaves the data plane for storage or display passes through here:
// configured headers and JSON fields are masked, redact.patterns masked in every string
// (header and query values, bodies, differences), bodies are cut to samples.maxBodyBytes.
import type { IncomingHttpHeaders } from 'node:http';
import { compilePatterns, type PatternSet, type PatternState } from '../compare/pointer.js';
import type { RedactPatternConfig } from '../config/schema.js';
import type { ShadowJob } from '../shadow/job.js';
import { compileRedactPatterns, maskQuery, type PatternMasker } from './redact-patterns.js';
import type { Comparison } from '../shadow/record.js';
import type { Sample, StoredMessage } from './samples.js';

export const REDACTED = '[redacted]';
type Headers = Record<string, string | string[] | undefined> | IncomingHttpHeaders;

export class Redactor {
  private readonly headerSet: ReadonlySet<string>;
  private readonly fields: PatternSet;
  /** redact.patterns, compiled; also what the logger and the suite writer mask with. */
  readonly patterns: PatternMasker;

  constructor(options: { headers: readonly string[]; fields: readonly string[]; maxBodyBytes: number; patterns?: readonly RedactPatternConfig[] }) {
    this.headerSet = new Set(options.headers.map((h) => h.toLowerCase()));
    this.fields = compilePatterns(options.fields, 'redact.fields');
    this.patterns = compileRedactPatterns(options.patterns ?? []);
    this.maxBodyBytes = options.maxBodyBytes;
  }
  private readonly maxBodyBytes: number;

  headers(headers: Headers): Record<string, string | string[] | undefined> {
    const out: Record<string, string | string[] | undefined> = {};
    for (const [name, value] of Object.entries(headers)) {
      out[name] = this.headerSet.has(name.toLowerCase()) && value !== undefined ? REDACTED : this.patterns.value(value);
    }
    return out;
  }

  /** Headers without the redacted ones (suites drop them rather than mask them), pattern-masked. */
  keptHeaders(headers: Headers): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || this.headerSet.has(name.toLowerCase())) continue;
      out[name.toLowerCase()] = this.patterns.value(value);
    }
    return out;
  }

  /** A raw query string (no "?"), pattern-masked. */
  query(query: string): string {
    return maskQuery(query, this.patterns);
  }

  /** Any string or JSON-like value, pattern-masked (logs, paths, difference values). */
  text(value: string): string {
    return this.patterns.text(value);
  }

  isRedactedHeader(name: string): boolean {
    return this.headerSet.has(name.toLowerCase());
  }

  body(buf: Buffer, contentType: string | string[] | undefined, maxBytes = this.maxBodyBytes): { body: string; encoding: 'utf8' | 'base64'; truncated: boolean } {
    const type = (Array.isArray(contentType) ? contentType[0] : contentType) ?? '';
    const isJson = /[/+]json\b/i.test(type);
    if (isJson && (this.fields.size > 0 || this.patterns.size > 0)) {
      let parsed: unknown;
      let parseable = true;
      try { parsed = JSON.parse(buf.toString('utf8')); } catch { parseable = false; }
      if (parseable) {
        const masked = this.patterns.value(this.fields.size > 0 ? this.mask(parsed, this.fields.start) : parsed);
        return this.cut(Buffer.from(JSON.stringify(masked), 'utf8'), true, maxBytes);
      }
      // Not parseable (truncated or malformed): a body we cannot mask is not stored.
      if (this.fields.size > 0) return { body: `${REDACTED} (unparseable JSON body withheld because redact.fields is set)`, encoding: 'utf8', truncated: false };
    }
    const text = isJson || /^text\/|xml|javascript|x-www-form-urlencoded/i.test(type) || type === '';
    if (this.patterns.size > 0) {
      // Masked before the cut, so a secret cut in half cannot slip past its pattern.
      if (text) return this.cut(Buffer.from(this.patterns.text(buf.toString('utf8')), 'utf8'), true, maxBytes);
      if (this.patterns.matches(buf.toString('latin1'))) {
        return { body: `${REDACTED} (binary body withheld: it matches redact.patterns)`, encoding: 'utf8', truncated: false };
      }
    }
    return this.cut(buf, text, maxBytes);
  }

  private cut(buf: Buffer, text: boolean, maxBytes = this.maxBodyBytes): { body: string; encoding: 'utf8' | 'base64'; truncated: boolean } {
    const truncated = buf.length > maxBytes;
    const part = truncated ? buf.subarray(0, maxBytes) : buf;
    return text ? { body: part.toString('utf8'), encoding: 'utf8', truncated } : { body: part.toString('base64'), encoding: 'base64', truncated };
  }

  private mask(value: unknown, state: PatternState): unknown {
    if (this.fields.accepts(state)) return REDACTED;
    if (state.length === 0 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v, i) => this.mask(v, this.fields.step(state, String(i))));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.mask(v, this.fields.step(state, k));
    return out;
  }

  private fieldRedacted(pointer: string): boolean {
    return this.fields.size > 0 && pointer.startsWith('/') && this.fields.matches(pointer);
  }

  sample(job: ShadowJob, comparison: Comparison): Sample {
    const legacy = job.legacy;
    const agent = job.agent;
    const request = this.body(job.request.buffer(), job.headers['content-type']);
    const legacyMsg: StoredMessage = legacy
      ? { status: legacy.status, headers: this.headers(legacy.headers), ...this.body(comparison.legacyBody ?? legacy.body.buffer(), legacy.headers['content-type']), durationMs: legacy.durationMs }
      : { headers: {}, body: '', encoding: 'utf8', truncated: false, error: job.legacyError?.kind ?? 'no_response' };
    if (legacy && legacy.body.stopped) legacyMsg.truncated = true;
    const agentMsg: StoredMessage = agent?.ok
      ? { status: agent.status, headers: this.headers(agent.headers), ...this.body(comparison.agentBody ?? agent.body, agent.headers['content-type']), durationMs: agent.durationMs }
      : { headers: {}, body: '', encoding: 'utf8', truncated: false, error: agent?.kind ?? 'no_response', durationMs: agent?.durationMs };
    if (agent?.ok && agent.truncated) agentMsg.truncated = true;
    return {
      id: job.id,
      route: job.route.name,
      at: job.at.toISOString(),
      result: comparison.result,
      servedBy: job.servedBy,
      request: { method: job.method, path: this.patterns.text(job.path), headers: this.headers(job.headers), ...request },
      legacy: legacyMsg,
      agent: agentMsg,
      differences: (comparison.outcome?.differences ?? []).map((d) => {
        const secret = (d.field.startsWith('header:') && this.isRedactedHeader(d.field.slice(7))) || this.fieldRedacted(d.pointer);
        return secret ? { ...d, legacy: REDACTED, agent: REDACTED } : this.patterns.value({ ...d });
      }),
      ...(comparison.outcome?.comparator ? { comparator: comparison.outcome.comparator } : {}),
      ...(comparison.outcome?.similarity !== undefined ? { similarity: comparison.outcome.similarity } : {}),
      ...(comparison.report || comparison.traceId ? { trace: { ...(comparison.report ?? {}), ...(comparison.traceId ? { traceId: comparison.traceId } : {}), ...(comparison.shadowTraceId ? { shadowTraceId: comparison.shadowTraceId } : {}) } } : {}),
    };
  }
}
