// Appends suite lines to <dir>/<route>.jsonl off the caller's path: a bounded queue (cases
// beyond it are dropped and counted, never waited for) drained by one writer loop. Rotation by
// size: a line that would push the live file past maxFileBytes first moves it to
// <route>.1.jsonl (older ones shift up to <route>.<maxFiles-1>.jsonl; the oldest is removed).
import { mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metrics } from '../metrics/definitions.js';
import type { SuiteCase, VerdictLine } from './format.js';

export interface SuiteWriterOptions {
  dir: string;
  maxFileBytes: number;
  /** Files per route, the live one included. */
  maxFiles: number;
  /** Cases waiting to be written; more are dropped. */
  maxQueue?: number;
  /** Bytes of cases waiting to be written; more are dropped. */
  maxQueueBytes?: number;
  /** Routes whose counters start at 0 (so the first drop is not lost to rate()). */
  routes?: readonly string[];
}

/** The two log levels the writer uses (a pino Logger fits). */
export interface SuiteLog { warn(obj: object, msg: string): void; error(obj: object, msg: string): void }

interface Pending { route: string; line: string; bytes: number; isCase: boolean }
interface LiveFile { handle: FileHandle | null; size: number }

export class SuiteWriter {
  private readonly queue: Pending[] = [];
  private queuedBytes = 0;
  private readonly files = new Map<string, LiveFile>();
  private running = false;
  private closed = false;
  private closing: Promise<void> | null = null;
  private idle: (() => void)[] = [];
  private loggedDrop = false;
  private loggedError = false;
  private dirReady: Promise<unknown> | null = null;
  private readonly maxQueue: number;
  private readonly maxQueueBytes: number;

  constructor(private readonly options: SuiteWriterOptions, private readonly metrics: Pick<Metrics, 'suiteRecords'>, private readonly log: SuiteLog) {
    if (!(options.maxFiles >= 1) || !(options.maxFileBytes >= 1)) throw new RangeError('suites.maxFiles and suites.maxFileBytes must be >= 1');
    this.maxQueue = options.maxQueue ?? 1000;
    this.maxQueueBytes = options.maxQueueBytes ?? 16 * 1024 * 1024;
    for (const route of options.routes ?? []) for (const result of ['written', 'dropped'] as const) metrics.suiteRecords.inc({ route, result }, 0);
  }

  /** Queues a case; false when it was dropped (queue full, too large for a file, writer closed). */
  write(record: SuiteCase): boolean {
    const line = `${JSON.stringify(record)}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.closed || bytes > this.options.maxFileBytes || this.queue.length >= this.maxQueue || this.queuedBytes + bytes > this.maxQueueBytes) {
      this.dropped(record.route, this.closed ? 'writer closed' : bytes > this.options.maxFileBytes ? 'case larger than suites.maxFileBytes' : 'queue full');
      return false;
    }
    this.enqueue({ route: record.route, line, bytes, isCase: true });
    return true;
  }

  /** Appends a verdict line to the route's live file. Never dropped: verdicts come at human pace. */
  verdict(route: string, verdict: VerdictLine): void {
    const line = `${JSON.stringify({ id: verdict.id, verdict: verdict.verdict, at: verdict.at })}\n`;
    if (this.closed) { this.log.warn({ route, sampleId: verdict.id }, 'suite writer closed: verdict line not written'); return; }
    this.enqueue({ route, line, bytes: Buffer.byteLength(line), isCase: false });
  }

  /** A case the caller could not build (e.g. a body over record.maxBodyBytes). */
  countDropped(route: string): void {
    this.metrics.suiteRecords.inc({ route, result: 'dropped' });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Resolves once everything queued so far is on disk (or failed). */
  flush(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Drains the queue, closes the files; exactly once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      await this.flush();
      await Promise.allSettled([...this.files.values()].map((f) => f.handle?.close()));
      this.files.clear();
    })();
    return this.closing;
  }

  private enqueue(item: Pending): void {
    this.queue.push(item);
    if (item.isCase) this.queuedBytes += item.bytes;
    if (!this.running) void this.pump();
  }

  private dropped(route: string, why: string): void {
    this.countDropped(route);
    if (this.loggedDrop) return;
    this.loggedDrop = true; // once: the counter has them all
    this.log.warn({ route, why }, 'suite case dropped (logged once; see shadowgate_suite_records_total{result="dropped"})');
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        // Lines of one route that fit the live file go out in one write.
        const first = this.queue[0]!;
        const file = await this.live(first.route).catch((err: unknown) => { this.failed(first.route, err); return null; });
        if (!file) { this.takeBatch(first.route, Number.POSITIVE_INFINITY).forEach((p) => p.isCase && this.countDropped(p.route)); continue; }
        if (file.size > 0 && file.size + first.bytes > this.options.maxFileBytes) {
          await this.rotate(first.route, file).catch((err: unknown) => this.failed(first.route, err));
        }
        const batch = this.takeBatch(first.route, this.options.maxFileBytes - file.size);
        const text = batch.map((p) => p.line).join('');
        try {
          if (!file.handle) throw new Error('suite file not open');
          await file.handle.write(text);
          file.size += Buffer.byteLength(text);
          for (const p of batch) if (p.isCase) this.metrics.suiteRecords.inc({ route: p.route, result: 'written' });
        } catch (err) {
          this.failed(first.route, err);
          for (const p of batch) if (p.isCase) this.countDropped(p.route);
          await file.handle?.close().catch(() => {});
          this.files.delete(first.route); // reopened (and re-measured) on the next line
        }
      }
    } finally {
      this.running = false;
      const waiting = this.idle;
      this.idle = [];
      for (const resolve of waiting) resolve();
    }
  }

  /** Consecutive queued lines of `route` from the head, up to `room` bytes (at least one). */
  private takeBatch(route: string, room: number): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.queue.length > 0 && this.queue[0]!.route === route && (batch.length === 0 || bytes + this.queue[0]!.bytes <= room)) {
      const item = this.queue.shift()!;
      if (item.isCase) this.queuedBytes -= item.bytes;
      bytes += item.bytes;
      batch.push(item);
    }
    return batch;
  }

  private failed(route: string, err: unknown): void {
    if (this.loggedError) return;
    this.loggedError = true;
    this.log.error({ route, dir: this.options.dir, err: (err as Error).message }, 'suite write failed; cases are dropped and counted (logged once)');
  }

  private path(route: string, n = 0): string {
    return join(this.options.dir, n === 0 ? `${route}.jsonl` : `${route}.${n}.jsonl`);
  }

  private async live(route: string): Promise<LiveFile> {
    let file = this.files.get(route);
    if (file?.handle) return file;
    // A failed mkdir is retried on the next line (the folder may be mounted later).
    this.dirReady ??= mkdir(this.options.dir, { recursive: true }).catch((err: unknown) => { this.dirReady = null; throw err; });
    await this.dirReady;
    const handle = await open(this.path(route), 'a');
    file = { handle, size: (await handle.stat()).size };
    this.files.set(route, file);
    return file;
  }

  private async rotate(route: string, file: LiveFile): Promise<void> {
    await file.handle?.close();
    file.handle = null;
    const { maxFiles } = this.options;
    // Any rotated file at or past the last slot goes (also those left by a larger maxFiles).
    const prefix = `${route}.`;
    for (const name of await readdir(this.options.dir)) {
      if (!name.startsWith(prefix) || !name.endsWith('.jsonl')) continue;
      const n = name.slice(prefix.length, -'.jsonl'.length);
      if (/^[1-9][0-9]*$/.test(n) && Number(n) >= maxFiles - 1) await unlinkIfThere(join(this.options.dir, name));
    }
    for (let n = maxFiles - 2; n >= 1; n--) await renameIfThere(this.path(route, n), this.path(route, n + 1));
    if (maxFiles > 1) await rename(this.path(route), this.path(route, 1));
    else await unlinkIfThere(this.path(route));
    file.handle = await open(this.path(route), 'a');
    file.size = 0;
  }
}

async function renameIfThere(from: string, to: string): Promise<void> {
  try { await rename(from, to); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; }
}

async function unlinkIfThere(path: string): Promise<void> {
  try { await unlink(path); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; }
}
