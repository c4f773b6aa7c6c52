// Readiness: the config is loaded, the flags are initialised (a bootstrap file counts), and
// legacy is reachable — a TCP connect, or GET legacy.healthPath when set — cached for
// legacy.healthCacheMs so probes never hammer legacy. Liveness (/healthz) never asks any of it.
import net from 'node:net';
import { request } from 'undici';
import type { Config } from '../config/schema.js';
import type { FlagSource } from '../flags/index.js';

export interface Readiness {
  ready: boolean;
  checks: { config: boolean; flags: boolean; legacy: boolean };
  draining?: boolean;
}

export class LegacyProbe {
  private cached: { at: number; ok: boolean } | null = null;
  private pending: Promise<boolean> | null = null;

  constructor(private readonly legacy: () => Config['legacy']) {}

  check(now = Date.now()): Promise<boolean> {
    const cfg = this.legacy();
    if (this.cached && now - this.cached.at < cfg.healthCacheMs) return Promise.resolve(this.cached.ok);
    // One probe at a time: concurrent /readyz calls share it.
    this.pending ??= probe(cfg).then((ok) => {
      this.cached = { at: Date.now(), ok };
      this.pending = null;
      return ok;
    });
    return this.pending;
  }
}

async function probe(cfg: Config['legacy']): Promise<boolean> {
  const url = new URL(cfg.url);
  const timeoutMs = Math.min(cfg.timeoutMs, 2000);
  if (cfg.healthPath !== undefined) {
    try {
      const res = await request(new URL(cfg.healthPath, url).toString(), { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      await res.body.dump();
      return res.statusCode < 500;
    } catch {
      return false;
    }
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port, timeout: timeoutMs });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** A route-less or flag-less config counts its missing part as passing. */
export async function readiness(state: { started: boolean; draining: boolean; flags: FlagSource | null; probe: LegacyProbe }): Promise<Readiness> {
  const flags = state.flags === null ? true : state.flags.status().ready;
  const legacy = await state.probe.check();
  const checks = { config: state.started, flags, legacy };
  const ready = !state.draining && checks.config && checks.flags && checks.legacy;
  return state.draining ? { ready, checks, draining: true } : { ready, checks };
}
