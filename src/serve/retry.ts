// One jittered retry of a transient agent failure on the serve path, for requests that may
// be repeated, and only if it still fits the serve deadline. The decision is a pure function.
import type { UpstreamResult } from '../proxy/upstream-client.js';

export const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const TRANSIENT_STATUS: ReadonlySet<number> = new Set([502, 503, 504]);
export const MAX_RETRIES = 1;

export interface RetryInputs {
  /** null: the circuit refused the call. */
  result: UpstreamResult | null;
  attempt: number;
  /** Idempotent method, or the route allows retrying non-idempotent ones. */
  retryable: boolean;
  /** Milliseconds left of serve.timeoutMs. */
  remainingMs: number;
  backoffMs: number;
}

/** A connection that never got an answer, or a gateway status from the agent's side, may be asked again. */
export function isTransient(result: UpstreamResult): boolean {
  return result.ok ? TRANSIENT_STATUS.has(result.status) : result.kind === 'connection' || result.kind === 'reset';
}

export function shouldRetry(i: RetryInputs): boolean {
  if (i.result === null || !i.retryable || i.attempt >= MAX_RETRIES) return false;
  if (!isTransient(i.result)) return false;
  // The retry must leave the agent some time to answer (10 ms), or it only delays the fallback.
  return i.remainingMs > i.backoffMs + 10;
}

/** 25–100 ms. */
export function backoffMs(random: () => number): number {
  return 25 + Math.floor(random() * 75);
}
