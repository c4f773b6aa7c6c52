// Flags from a local JSON file in Unleash's client-API shape, evaluated offline by
// unleash-client and reloaded when the file changes. A bad edit never replaces a good set.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Unleash } from 'unleash-client';
import { readFlagFile, type FlagSet } from './flag-file.js';
import { describeFlagChanges } from './flag-diff.js';
import { describeFlag, evaluate } from './flag-state.js';
import { FlagWarningReporter, type FlagWarningListener } from './flag-warnings.js';
import { createOfflineClient, destroyClient, waitForReady, type StaticContext } from './sdk-client.js';
import type { FlagContext, FlagLogger, FlagSource, FlagSourceStatus, FlagState } from './source.js';

/** Editors write in bursts (truncate + write, or write temp + rename): settle first. */
const DEBOUNCE_MS = 100;
/** Bootstrap data loads in ~20 ms; far beyond that something is wrong. */
const READY_TIMEOUT_MS = 5_000;

/** One loaded flag set and its evaluator (none for an empty set: every flag is off). */
interface Loaded {
  set: FlagSet;
  client: Unleash | undefined;
}

export interface FileFlagSourceOptions {
  file: string;
  watch: boolean;
  log: FlagLogger;
  /** unleash-client's static context (flags.appName, flags.environment). */
  staticContext: StaticContext;
  /** Each warning (unknown operator, strategy, segment, parent), once per flag version. */
  onWarning?: FlagWarningListener;
}

export class FileFlagSource implements FlagSource {
  readonly kind = 'file' as const;
  private current: Loaded | undefined;
  private lastGoodAt: number | null = null;
  private lastError: string | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly statusListeners = new Set<() => void>();
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private closed = false;
  private readonly warnings: FlagWarningReporter;
  /** Flags whose evaluation threw in the current set: logged once each. */
  private threw = new Set<string>();

  private constructor(private readonly options: FileFlagSourceOptions) {
    this.warnings = new FlagWarningReporter(options.log, { file: options.file }, options.onWarning);
  }

  /** Loads the file (a bad file throws a FlagsError naming it), then starts watching. */
  static async open(options: FileFlagSourceOptions): Promise<FileFlagSource> {
    const source = new FileFlagSource(options);
    const set = await readFlagFile(options.file);
    source.current = await source.load(set);
    source.lastGoodAt = Date.now();
    options.log.info({ file: options.file, version: set.version, flags: set.features.length }, 'flags loaded');
    source.warnings.report(set.features, set.segments);
    if (options.watch) source.startWatching();
    return source;
  }

  isEnabled(name: string, ctx: FlagContext): boolean {
    const loaded = this.current;
    return loaded !== undefined && !this.closed && evaluate(loaded.client, true, name, ctx, (err) => this.onThrow(name, err));
  }

  state(name: string): FlagState {
    return describeFlag(name, this.current?.client?.getFeatureToggleDefinition(name));
  }

  status(): FlagSourceStatus {
    return { kind: this.kind, lastGoodAt: this.lastGoodAt, lastError: this.lastError, ready: this.current !== undefined };
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatusChange(listener: () => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.listeners.clear();
    this.statusListeners.clear();
    await this.reloading?.catch(() => undefined);
    if (this.current?.client !== undefined) destroyClient(this.current.client);
  }

  /** Builds an evaluator for `set` and resolves once it actually answers from it. */
  private async load(set: FlagSet): Promise<Loaded> {
    if (set.features.length === 0) return { set, client: undefined };
    const client = createOfflineClient(set, this.options.staticContext, (err) =>
      this.options.log.warn({ err: err.message, file: this.options.file }, 'flag evaluation error'),
    );
    if (!(await waitForReady(client, READY_TIMEOUT_MS))) {
      destroyClient(client);
      throw new Error(`${this.options.file}: unleash-client did not load the flags within ${READY_TIMEOUT_MS} ms`);
    }
    return { set, client };
  }

  private startWatching(): void {
    const name = basename(this.options.file);
    // Watch the directory, not the file: editors and atomic writers replace the file by rename,
    // which would leave a file watcher on the old inode.
    this.watcher = watch(dirname(this.options.file), { persistent: false }, (_event, changed) => {
      // `..data`: a Kubernetes ConfigMap update swaps the folder's data symlink, not the file.
      if (changed === null || changed.toString() === name || changed.toString() === '..data') this.scheduleReload();
    });
    this.watcher.on('error', (err) => {
      this.lastError = `${this.options.file}: watching stopped: ${err.message}`;
      this.options.log.warn({ file: this.options.file, err: err.message }, 'flags file watch failed; keeping current flags');
      this.notify(this.statusListeners);
    });
  }

  private scheduleReload(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.reload(), DEBOUNCE_MS);
    this.debounce.unref();
  }

  /** Reloads one at a time; a change seen meanwhile triggers one more pass afterwards. */
  private reload(): void {
    if (this.reloading !== undefined) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = this.reloadOnce()
      .catch((err: unknown) => this.options.log.error({ err: String(err) }, 'flags reload failed unexpectedly'))
      .finally(() => {
        this.reloading = undefined;
        if (this.reloadAgain && !this.closed) {
          this.reloadAgain = false;
          this.reload();
        }
      });
  }

  private async reloadOnce(): Promise<void> {
    const { file, log } = this.options;
    let next: Loaded;
    try {
      const set = await readFlagFile(file);
      if (this.current !== undefined && sameFlagSet(set, this.current.set)) {
        // Touched or rewritten with the same content: nothing takes effect, but it is good again.
        const wasBad = this.lastError !== null;
        this.lastError = null;
        this.lastGoodAt = Date.now();
        if (wasBad) {
          log.info({ file }, 'flags file is valid again (unchanged)');
          this.notify(this.statusListeners);
        }
        return;
      }
      next = await this.load(set);
    } catch (err) {
      this.lastError = (err as Error).message;
      log.warn({ file, reason: this.lastError }, 'flags file rejected; keeping the last good flags');
      // Status-derived state (shadowgate_flags_source_up) follows now, not at its next refresh.
      this.notify(this.statusListeners);
      return;
    }
    if (this.closed) {
      if (next.client !== undefined) destroyClient(next.client);
      return;
    }
    const previous = this.current;
    this.current = next;
    this.lastGoodAt = Date.now();
    this.lastError = null;
    this.threw = new Set();
    if (previous?.client !== undefined) destroyClient(previous.client);
    const changes = describeFlagChanges(previous?.set.features ?? [], next.set.features);
    log.info(
      { file, version: next.set.version, flags: next.set.features.length, changes },
      changes.length > 0 ? `flags reloaded: ${changes.join(', ')}` : 'flags reloaded (no flag changed)',
    );
    this.warnings.report(next.set.features, next.set.segments);
    this.notify();
  }

  private onThrow(name: string, err: unknown): void {
    if (this.threw.has(name)) return;
    this.threw.add(name);
    this.options.log.error({ file: this.options.file, flag: name, err: String(err) }, 'flag evaluation threw; the flag is off (legacy answers) until the next flag set');
  }

  private notify(listeners: ReadonlySet<() => void> = this.listeners): void {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (err) {
        this.options.log.error({ err: (err as Error).message }, 'flags onChange listener threw');
      }
    }
  }
}

function sameFlagSet(a: FlagSet, b: FlagSet): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
