// What the rest of shadowgate sees of feature flags: a synchronous, in-memory FlagSource.
// Two variants sit behind it — a watched JSON file (file.ts) and a live Unleash server
// (unleash.ts) — both evaluated by unleash-client's own strategy engine.

export interface FlagContext {
  userId?: string;
  sessionId?: string;
  remoteAddress?: string;
  properties?: Record<string, string>;
}

export interface FlagState {
  name: string;
  /** false when the flag is not in the current flag set (or nothing is loaded yet). */
  known: boolean;
  /** The flag's on/off toggle in this environment (strategies still decide per user). */
  enabled: boolean;
  /** rollout/percentage of the single rollout strategy; null if there is none or several. */
  rolloutPercent: number | null;
  strategies: string[];
}

export interface FlagSourceStatus {
  kind: string;
  /** Epoch ms of the last flag set known to be good (file loaded, or Unleash answered). */
  lastGoodAt: number | null;
  /** Why the last load or fetch failed; cleared by the next success. Never holds a token. */
  lastError: string | null;
  /** true once a flag set is usable; before that every flag is off. */
  ready: boolean;
}

export interface FlagSource {
  readonly kind: 'file' | 'unleash';
  /** Synchronous and in-memory. false for an unknown flag and before anything is loaded. */
  isEnabled(name: string, ctx: FlagContext): boolean;
  state(name: string): FlagState;
  status(): FlagSourceStatus;
  /** Called after a new flag set takes effect. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
  /**
   * Called when status() changes without a new flag set (a file rejected, valid again; the
   * server unreachable, reachable again), at that moment. Returns an unsubscribe function.
   */
  onStatusChange(listener: () => void): () => void;
  /** Idempotent; clears timers and watchers; never throws. */
  close(): Promise<void>;
}

/** The slice of a pino logger this folder uses. */
export interface FlagLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
