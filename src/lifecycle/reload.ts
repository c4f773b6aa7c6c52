// Live config: the config file is watched (a ConfigMap update is a swap of the mounted
// folder's `..data` symlink; editors write a temp file and rename it: both are caught by
// watching the folder) and re-read on SIGHUP. A new config passes the same checks as
// check-config before it replaces the old one; keys that cannot change in a running process
// are refused by name, and the old config stays in force.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Config } from '../config/schema.js';

/** Keys a running process cannot take: its listeners, the admin token, the tracing exporter. */
export const RESTART_ONLY = [
  'server.port', 'server.host', 'admin.port', 'admin.host', 'admin.token',
  'tracing.enabled', 'tracing.otlpEndpoint', 'tracing.serviceName', 'tracing.sampleRatio',
] as const;
/** Never shown in a message, whatever they changed to. */
const SECRET = new Set<string>(['admin.token']);

/** Each restart-only key whose value differs, described without secret values. Pure. */
export function restartOnlyChanges(current: Config, next: Config): string[] {
  const out: string[] = [];
  for (const key of RESTART_ONLY) {
    const [section, name] = key.split('.') as [keyof Config, string];
    const a = (current[section] as Record<string, unknown>)[name];
    const b = (next[section] as Record<string, unknown>)[name];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    out.push(SECRET.has(key) ? `${key} changed` : `${key}: ${JSON.stringify(a) ?? 'unset'} → ${JSON.stringify(b) ?? 'unset'}`);
  }
  return out;
}

/** The config's identity in shadowgate_config_info{hash}: the first 12 hex digits of the file's sha256. */
export function configHash(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Top-level sections whose content differs (what a reload log line says changed). */
export function changedSections(current: Config, next: Config): string[] {
  const keys = new Set([...Object.keys(current), ...Object.keys(next)]);
  return [...keys].filter((k) => JSON.stringify((current as Record<string, unknown>)[k]) !== JSON.stringify((next as Record<string, unknown>)[k])).sort();
}

/** Calls `onChange` (debounced) when the file, or the `..data` link beside it, changes. */
export class ConfigWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(file: string, private readonly onChange: () => void, onError: (err: Error) => void, private readonly debounceMs = 150) {
    const name = basename(file);
    // The folder, not the file: a rename or a symlink swap leaves a file watcher on the old inode.
    this.watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      const n = changed?.toString();
      if (n === undefined || n === name || n === '..data') this.schedule();
    });
    this.watcher.on('error', onError);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onChange, this.debounceMs);
    this.timer.unref();
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
    this.watcher = undefined;
  }
}
