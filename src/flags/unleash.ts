// Flags from a live Unleash server, polled by unleash-client. Start-up never waits for the
// server: an optional bootstrap file serves until the first fetch, and the last known flags
// stay when the server goes away. Upstream failures are classified as unleash-client does:
// 401/403 is a config error (polling stops for good), the rest are retried with back-off.
import { UnleashEvents, type Unleash } from 'unleash-client';
import { FlagsError } from './errors.js';
import { validateFlagSet, type FlagSet } from './flag-file.js';
import { describeFlagChanges } from './flag-diff.js';
import { describeFlag, evaluate } from './flag-state.js';
import { FlagWarningReporter, type FlagWarningListener } from './flag-warnings.js';
import { createClient, destroyClient, segmentsOf, waitForReady } from './sdk-client.js';
import type { FlagContext, FlagLogger, FlagSource, FlagSourceStatus, FlagState } from './source.js';

const BOOTSTRAP_TIMEOUT_MS = 5_000;

export interface UnleashFlagSourceOptions {
  url: string;
  token: string;
  appName: string;
  environment: string;
  instanceId?: string;
  refreshIntervalMs: number;
  /** Served until the first successful fetch (already validated). */
  bootstrap?: FlagSet;
  log: FlagLogger;
  /** Each warning (unknown operator, strategy, segment, parent; a definition the file validator would reject), once per flag version. */
  onWarning?: FlagWarningListener;
}

type Failure = { kind: 'auth'; status: number } | { kind: 'fetch'; reason: string };

export class UnleashFlagSource implements FlagSource {
  readonly kind = 'unleash' as const;
  private readonly client: Unleash;
  private ready = false;
  private notifyWhenReady = false;
  private lastGoodAt: number | null = null;
  private lastError: string | null = null;
  private failing = false;
  private authFailed = false;
  private lastWarning = '';
  private readonly listeners = new Set<() => void>();
  private readonly statusListeners = new Set<() => void>();
  /** Feature objects we handed over as bootstrap: a 'changed' carrying only these came from it. */
  private readonly bootstrapFeatures = new WeakSet<object>();
  private closed = false;
  private readonly warnings: FlagWarningReporter;
  /** The definitions of the last change, for the `flags changed` log line. */
  private lastFeatures: readonly object[] = [];
  /** Validation problems already logged, keyed by problem and definition (once per flag version). */
  private invalidShown = new Set<string>();
  private threw = new Set<string>();

  private constructor(private readonly options: UnleashFlagSourceOptions) {
    this.warnings = new FlagWarningReporter(options.log, { source: 'unleash' }, options.onWarning);
    const { url, token, appName, environment, instanceId, refreshIntervalMs, bootstrap } = options;
    for (const feature of bootstrap?.features ?? []) this.bootstrapFeatures.add(feature);
    this.client = createClient(
      {
        url,
        appName,
        environment,
        instanceId,
        refreshInterval: refreshIntervalMs,
        customHeaders: { Authorization: token },
        bootstrap: bootstrap === undefined ? undefined : { data: bootstrap.features, segments: bootstrap.segments },
      },
      (err) => this.onError(err),
    );
    this.client.on(UnleashEvents.Ready, () => this.onReady());
    this.client.on(UnleashEvents.Changed, (features: unknown) => this.onChanged(features));
    this.client.on(UnleashEvents.Unchanged, () => this.onFetchOk());
    this.client.on(UnleashEvents.Warn, (msg: unknown) => this.onWarn(msg));
  }

  /** Resolves once the bootstrap flags evaluate, or at once without bootstrap: never waits for the server. */
  static async open(options: UnleashFlagSourceOptions): Promise<UnleashFlagSource> {
    const source = new UnleashFlagSource(options);
    const { url, appName, refreshIntervalMs, bootstrap, log } = options;
    log.info({ url: redactUrl(url), appName, refreshIntervalMs, bootstrapFlags: bootstrap?.features.length ?? 0 }, 'flags: polling Unleash');
    // An empty bootstrap is never loaded by the SDK (it skips empty sets), so do not wait for it.
    if (bootstrap !== undefined && bootstrap.features.length > 0 && !source.ready) {
      if (!(await waitForReady(source.client, BOOTSTRAP_TIMEOUT_MS)) && !source.ready) {
        log.warn({}, 'flags: bootstrap not loaded in time; all flags off until the first fetch');
      }
    }
    return source;
  }

  isEnabled(name: string, ctx: FlagContext): boolean {
    return evaluate(this.client, this.ready && !this.closed, name, ctx, (err) => this.onThrow(name, err));
  }

  state(name: string): FlagState {
    return describeFlag(name, this.ready ? this.client.getFeatureToggleDefinition(name) : undefined);
  }

  status(): FlagSourceStatus {
    return { kind: this.kind, lastGoodAt: this.lastGoodAt, lastError: this.lastError, ready: this.ready };
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
    this.listeners.clear();
    this.statusListeners.clear();
    destroyClient(this.client);
  }

  private onReady(): void {
    this.ready = true;
    if (this.notifyWhenReady) {
      this.notifyWhenReady = false;
      this.notify();
    }
  }

  private onChanged(features: unknown): void {
    if (!this.cameFromBootstrap(features)) this.onFetchOk();
    this.inspect();
    // 'changed' fires before the SDK evaluates from the new set on the very first load (its
    // ready flag is set a tick later): hold the notification until then.
    if (this.ready) this.notify();
    else this.notifyWhenReady = true;
  }

  /** The SDK also emits 'changed' (and 'synchronized') for bootstrap data: that proves nothing about the server. */
  private cameFromBootstrap(features: unknown): boolean {
    return (
      Array.isArray(features) &&
      features.length > 0 &&
      features.every((f) => typeof f === 'object' && f !== null && this.bootstrapFeatures.has(f))
    );
  }

  /**
   * The same rules as for a flags file, applied to what the server sent. The SDK already
   * evaluates it (there is no older copy to keep, and the contract is the SDK's answer), so
   * what a file would be rejected for is reported instead: logged once per flag version and
   * counted as a warning of kind `invalid`; unknown operators, strategies, segments, parents as in a file.
   */
  private inspect(): void {
    const features = this.client.getFeatureToggleDefinitions();
    const segments = segmentsOf(this.client);
    const changes = describeFlagChanges(this.lastFeatures as never, features as never);
    if (changes.length > 0) this.options.log.info({ changes }, `flags changed: ${changes.join(', ')}`);
    this.lastFeatures = features;
    const shown = new Set<string>();
    try {
      validateFlagSet({ version: 0, features, segments }, 'unleash');
    } catch (err) {
      if (!(err instanceof FlagsError)) throw err;
      for (const problem of err.problems) {
        const index = /features\[(\d+)\]/.exec(problem)?.[1];
        const def = index === undefined ? undefined : features[Number(index)];
        const key = `${problem.replace(/features\[\d+\]/, '')}\0${JSON.stringify(def ?? null)}`;
        shown.add(key);
        if (this.invalidShown.has(key)) continue;
        const flag = def?.name ?? '(flag set)';
        this.options.log.error({ flag, kind: 'invalid', problem }, `flags: ${flag}: Unleash sent a definition a flags file would be rejected for; unleash-client evaluates it as sent: ${problem}`);
        try {
          this.options.onWarning?.({ kind: 'invalid', flag, path: problem, message: problem });
        } catch (e) {
          this.options.log.error({ err: (e as Error).message }, 'flags warning listener threw');
        }
      }
    }
    this.invalidShown = shown;
    this.threw = new Set();
    this.warnings.report(features, segments as never);
  }

  private onThrow(name: string, err: unknown): void {
    if (this.threw.has(name)) return;
    this.threw.add(name);
    this.options.log.error({ flag: name, err: String(err) }, 'flag evaluation threw; the flag is off (legacy answers) until the next change');
  }

  private onFetchOk(): void {
    this.lastGoodAt = Date.now();
    if (this.failing) this.options.log.info({ url: redactUrl(this.options.url) }, 'flags: Unleash reachable again');
    this.failing = false;
    const was = this.lastError;
    this.lastError = null;
    if (was !== null) this.notify(this.statusListeners);
  }

  private onError(err: Error): void {
    const failure = classify(err.message);
    if (failure === undefined) {
      this.options.log.warn({ err: this.redact(err.message) }, 'flags: unleash-client error');
    } else {
      this.onFailure(failure);
    }
  }

  private onWarn(msg: unknown): void {
    const text = this.redact(msg instanceof Error ? msg.message : String(msg));
    const failure = classify(text);
    if (failure !== undefined) {
      this.onFailure(failure);
    } else if (text !== this.lastWarning) {
      // Metrics and keep-alive warnings repeat every interval while a problem lasts: log changes only.
      this.lastWarning = text;
      this.options.log.warn({ warning: text }, 'flags: unleash-client warning');
    }
  }

  private onFailure(failure: Failure): void {
    const was = this.lastError;
    this.recordFailure(failure);
    if (was === null && this.lastError !== null) this.notify(this.statusListeners);
  }

  private recordFailure(failure: Failure): void {
    if (failure.kind === 'auth') {
      this.lastError = `unleash rejected the token (HTTP ${failure.status})`;
      if (!this.authFailed) {
        this.authFailed = true;
        this.options.log.error(
          { url: redactUrl(this.options.url), status: failure.status },
          `flags: ${this.lastError}; unleash-client stopped polling, flags stay as last known`,
        );
      }
      return;
    }
    this.lastError = `unleash fetch failed: ${this.redact(failure.reason)}`;
    if (!this.failing) {
      this.failing = true;
      this.options.log.warn({ reason: this.lastError }, 'flags: Unleash unreachable; keeping the last known flags');
    }
  }

  private redact(text: string): string {
    const { token } = this.options;
    const noToken = token.length > 0 ? text.split(token).join('<redacted>') : text;
    return noToken.replace(/(\w+:\/\/)[^/@\s]*@/g, '$1');
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

const REPOSITORY_PREFIX = 'Unleash Repository error: ';

/** Failures of the flag fetch (not metrics), from unleash-client's error and warning texts. */
export function classify(message: string): Failure | undefined {
  const auth = /responded (401|403) /.exec(message);
  if (auth?.[1] !== undefined) return { kind: 'auth', status: Number(auth[1]) };
  if (/client\/features/.test(message) && /Backing off/.test(message)) {
    const status = /\((\d{3})\)|responded (\d{3})/.exec(message);
    return { kind: 'fetch', reason: `HTTP ${status?.[1] ?? status?.[2] ?? '?'}` };
  }
  if (message.startsWith(REPOSITORY_PREFIX)) return { kind: 'fetch', reason: message.slice(REPOSITORY_PREFIX.length) };
  return undefined;
}

function redactUrl(url: string): string {
  return url.replace(/(\w+:\/\/)[^/@\s]*@/, '$1');
}
