// Lifecycle of one unleash-client instance: create with an error listener always attached,
// wait until it can evaluate, destroy safely. See shared RECIPES for the measured pitfalls.
import type { EventEmitter } from 'node:events';
import { InMemStorageProvider, Unleash, UnleashEvents, type UnleashConfig } from 'unleash-client';
import type { FlagSet } from './flag-file.js';

/** unleash-client's static context: merged under every evaluation's context. */
export interface StaticContext {
  appName: string;
  environment: string;
}

/** Offline evaluator for a validated flag set: no requests, no metrics, no backup file. */
export function createOfflineClient(set: FlagSet, staticContext: StaticContext, onError: (err: Error) => void): Unleash {
  return createClient(
    {
      // url and appName are required even offline; nothing is ever fetched from this address.
      url: 'http://127.0.0.1:1/unused/',
      appName: staticContext.appName,
      environment: staticContext.environment,
      refreshInterval: 0,
      disableMetrics: true,
      bootstrap: { data: set.features, segments: set.segments },
    },
    onError,
  );
}

/** Every client: in-memory storage (the default backup file in the OS temp dir leaks flags between runs). */
export function createClient(config: UnleashConfig, onError: (err: Error) => void): Unleash {
  const client = new Unleash({
    storageProvider: new InMemStorageProvider(),
    // We create a fresh instance per reload on purpose (and destroy the old one).
    skipInstanceCountWarning: true,
    ...config,
  });
  // Without a listener an 'error' event is thrown (and the SDK console.errors it otherwise).
  client.on(UnleashEvents.Error, onError);
  return client;
}

/**
 * Resolves true once the client evaluates from its loaded flags (its 'ready' event comes after
 * the SDK's internal ready flag is set), false on timeout. Loading bootstrap data is async (~20 ms).
 */
export function waitForReady(client: Unleash, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    timer.unref();
    const onReady = (): void => done(true);
    function done(ok: boolean): void {
      clearTimeout(timer);
      client.off(UnleashEvents.Ready, onReady);
      resolve(ok);
    }
    client.on(UnleashEvents.Ready, onReady);
  });
}

/** Whether the client holds a segment with this id (the SDK keeps them in its private repository). */
export function segmentsOf(client: Unleash): { id: number; constraints?: unknown[] }[] {
  const repository = (client as unknown as { repository?: { segments?: Map<number, { id: number; constraints?: unknown[] }> } }).repository;
  const segments = repository?.segments;
  return segments instanceof Map ? [...segments.values()] : [];
}

/**
 * destroy() strips the repository's listeners; a fetch still in flight then emits 'error' on
 * it with no listener, which throws inside the SDK's async fetch (unhandled rejection ⇒ crash).
 * Keep a sink on the repository after destroying. The field is private in the SDK's types.
 */
export function destroyClient(client: Unleash): void {
  const repository = (client as unknown as { repository?: EventEmitter }).repository;
  try {
    client.destroy();
  } catch {
    // close() must never throw
  }
  client.removeAllListeners();
  client.on(UnleashEvents.Error, () => undefined);
  if (repository !== undefined && typeof repository.on === 'function') {
    repository.on(UnleashEvents.Error, () => undefined);
  }
}
