// Everything that leaves the data plane for storage or display passes through here:
// configured headers and JSON fields are masked, bodies are cut to samples.maxBodyBytes.
import type { IncomingHttpHeaders } from 'node:http';
import { compilePatterns, type PatternSet, type PatternState } from '../compare/pointer.js';
import type { ShadowJob } from '../shadow/job.js';
import type { Comparison } from '../shadow/record.js';
import type { Sample, StoredMessage } from './samples.js';

export const REDACTED = '[redacted]';
type Headers = Record<string, string | string[] | undefined> | IncomingHttpHeaders;

export class Redactor {
  private readonly headerSet: ReadonlySet<string>;
  private readonly fields: PatternSet;

  constructor(options: { headers: readonly string[]; fields: readonly string[]; maxBodyBytes: number }) {
    this.headerSet = new Set(options.headers.map((h) => h.toLowerCase()));
    this.fields = compilePatterns(options.fields, 'redact.fields');
    this.maxBodyBytes = options.maxBodyBytes;
  }
  private readonly maxBodyBytes: number;

  headers(headers: Headers): Record<string, string | string[] | undefined> {
    const out: Record<string, string | string[] | undefined> = {};
    for (const [name, value] of Object.entries(headers)) {
      out[name] = this.headerSet.has(name.toLowerCase()) && value !== undefined ? REDACTED : value;
    }
    return out;
  }

  isRedactedHeader(name: string): boolean {
    return this.headerSet.has(name.toLowerCase());
  }

  body(buf: Buffer, contentType: string | string[] | undefined): { body: string; encoding: 'utf8' | 'base64'; truncated: boolean } {
    const type = (Array.isArray(contentType) ? contentType[0] : contentType) ?? '';
    const isJson = /[/+]json\b/i.test(type);
    if (isJson && this.fields.size > 0) {
      try {
        const masked = JSON.stringify(this.mask(JSON.parse(buf.toString('utf8')) as unknown, this.fields.start));
        return this.cut(Buffer.from(masked, 'utf8'), true);
      } catch {
        // Not parseable (truncated or malformed): a body we cannot mask is not stored.
        return { body: `${REDACTED} (unparseable JSON body withheld because redact.fields is set)`, encoding: 'utf8', truncated: false };
      }
    }
    return this.cut(buf, isJson || /^text\/|xml|javascript|x-www-form-urlencoded/i.test(type) || type === '');
  }

  private cut(buf: Buffer, text: boolean): { body: string; encoding: 'utf8' | 'base64'; truncated: boolean } {
    const truncated = buf.length > this.maxBodyBytes;
    const part = truncated ? buf.subarray(0, this.maxBodyBytes) : buf;
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
      request: { method: job.method, path: job.path, headers: this.headers(job.headers), ...request },
      legacy: legacyMsg,
      agent: agentMsg,
      differences: (comparison.outcome?.differences ?? []).map((d) => {
        const secret = (d.field.startsWith('header:') && this.isRedactedHeader(d.field.slice(7))) || this.fieldRedacted(d.pointer);
        return secret ? { ...d, legacy: REDACTED, agent: REDACTED } : { ...d };
      }),
      ...(comparison.outcome?.comparator ? { comparator: comparison.outcome.comparator } : {}),
      ...(comparison.outcome?.similarity !== undefined ? { similarity: comparison.outcome.similarity } : {}),
      ...(comparison.report || comparison.traceId ? { trace: { ...(comparison.report ?? {}), ...(comparison.traceId ? { traceId: comparison.traceId } : {}), ...(comparison.shadowTraceId ? { shadowTraceId: comparison.shadowTraceId } : {}) } } : {}),
    };
  }
}
