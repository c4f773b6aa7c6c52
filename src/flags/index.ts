// Feature flags: decides from config whether flags come from a watched file or a live
// Unleash server, and hands back one FlagSource either way.
import { FlagsError } from './errors.js';
import { FileFlagSource } from './file.js';
import { readFlagFile } from './flag-file.js';
import type { FlagWarningListener } from './flag-warnings.js';
import type { FlagLogger, FlagSource } from './source.js';
import { UnleashFlagSource } from './unleash.js';

export { FlagsError, type FlagsErrorCode } from './errors.js';
export type { FlagContext, FlagLogger, FlagSource, FlagSourceStatus, FlagState } from './source.js';

export type { FlagWarning, FlagWarningKind, FlagWarningListener } from './flag-warnings.js';
export { FLAG_WARNING_KINDS } from './flag-warnings.js';
export { ROUTE_FLAG_KINDS, effectivePercent, type RouteFlagKind } from './route-flags.js';

export interface FlagsConfig {
  /** Absolute path to Unleash client-API JSON ({version, features:[...]}). Bootstrap in unleash mode. */
  file?: string;
  unleash?: {
    url: string;
    token: string;
    appName: string;
    environment?: string;
    refreshIntervalMs: number;
    instanceId?: string;
  };
  /** File mode: reload the file when it changes. */
  watch: boolean;
  /** unleash-client's static context for both sources (flags.appName / flags.environment); default shadowgate / default. */
  appName?: string;
  environment?: string;
}

export interface FlagSourceOptions {
  /** Each warning, once per flag version (wire it to shadowgate_flags_warnings_total{kind}). */
  onWarning?: FlagWarningListener;
}

/**
 * File mode resolves once the file's flags evaluate (a bad file throws FlagsError naming it).
 * Unleash mode resolves once the bootstrap file (if any) is loaded, never waiting for the server.
 */
export async function createFlagSource(config: FlagsConfig, log: FlagLogger, options: FlagSourceOptions = {}): Promise<FlagSource> {
  const { unleash, file } = config;
  // flags.appName / flags.environment win; the unleash block carries the same values (the schema makes sure).
  const appName = config.appName ?? unleash?.appName ?? 'shadowgate';
  const environment = config.environment ?? unleash?.environment ?? 'default';
  const { onWarning } = options;
  if (unleash === undefined) {
    if (file === undefined) throw new FlagsError('FLAGS_CONFIG_INVALID', 'flags: set either flags.file or flags.unleash');
    return FileFlagSource.open({ file, watch: config.watch, log, staticContext: { appName, environment }, onWarning });
  }
  const problems = unleashConfigProblems(unleash);
  if (problems.length > 0) throw new FlagsError('FLAGS_CONFIG_INVALID', problems.join('; '), problems);
  const bootstrap = file === undefined ? undefined : await readFlagFile(file);
  return UnleashFlagSource.open({ ...unleash, appName, environment, bootstrap, log, onWarning });
}

function unleashConfigProblems(u: NonNullable<FlagsConfig['unleash']>): string[] {
  const problems: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(u.url);
  } catch {
    // reported below
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    problems.push('flags.unleash.url: expected an http(s) URL such as https://unleash.example/api/');
  }
  if (u.token.trim() === '') problems.push('flags.unleash.token: must not be empty');
  if (u.appName.trim() === '') problems.push('flags.unleash.appName: must not be empty');
  if (!Number.isInteger(u.refreshIntervalMs) || u.refreshIntervalMs < 1) {
    problems.push('flags.unleash.refreshIntervalMs: expected a positive integer (milliseconds)');
  }
  return problems;
}
