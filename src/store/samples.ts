// Recent comparison samples (mismatches and agent errors) for the admin API and review
// page, in an LRU bounded by count. Everything stored has already been redacted.
import { LRUCache } from 'lru-cache';
import type { ComparisonResult } from './result-window.js';

export interface StoredMessage {
  status?: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;              // utf-8 text, or base64 when `encoding` is base64
  encoding: 'utf8' | 'base64';
  truncated: boolean;
  durationMs?: number;
  error?: string;
}

export interface Sample {
  id: string;
  route: string;
  at: string;                // ISO time of the client request
  result: ComparisonResult;
  /** Who answered the client for this request (the agent only when it served and passed the gates). */
  servedBy: 'legacy' | 'agent';
  request: { method: string; path: string; headers: StoredMessage['headers']; body: string; encoding: StoredMessage['encoding']; truncated: boolean };
  legacy: StoredMessage;
  agent: StoredMessage;
  differences: { pointer: string; field: string; kind: string; legacy?: unknown; agent?: unknown }[];
  comparator?: string;
  similarity?: number;
  verdict?: { verdict: string; at: string; note?: string };
  trace?: Record<string, unknown>;
}

export class SampleStore {
  private cache: LRUCache<string, Sample>;
  evicted = 0;

  constructor(max: number, private readonly onEvict: () => void = () => {}) {
    this.cache = this.create(max);
  }

  private create(max: number): LRUCache<string, Sample> {
    return new LRUCache<string, Sample>({
      max,
      dispose: (_v, _k, reason) => {
        if (reason === 'evict') { this.evicted++; this.onEvict(); }
      },
    });
  }

  get max(): number {
    return this.cache.max;
  }

  /** samples.max changed (config reload): the newest samples are kept, up to the new bound. */
  resize(max: number): void {
    if (max === this.cache.max) return;
    const next = this.create(max);
    const newestFirst = [...this.cache.entries()];
    for (const [id, sample] of newestFirst.slice(0, max).reverse()) next.set(id, sample);
    this.cache = next;
  }

  add(sample: Sample): void {
    this.cache.set(sample.id, sample);
  }

  get(id: string): Sample | undefined {
    return this.cache.peek(id);
  }

  get size(): number {
    return this.cache.size;
  }

  /** Newest first. */
  list(filter: { route?: string; result?: ComparisonResult; field?: string; limit: number }): Sample[] {
    const out: Sample[] = [];
    for (const sample of this.cache.values()) { // most recently used first
      if (filter.route && sample.route !== filter.route) continue;
      if (filter.result && sample.result !== filter.result) continue;
      if (filter.field && !sample.differences.some((d) => d.field === filter.field || d.pointer === filter.field)) continue;
      out.push(sample);
    }
    out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    return out.slice(0, filter.limit);
  }
}
