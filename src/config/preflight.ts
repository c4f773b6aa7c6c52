// Everything `serve` would refuse, found before anything starts: the schema, then the flags
// file, redact patterns, compare options and plug-ins, gate schemas and gate plug-ins, each
// problem with its key path. `check-config` and `serve` both run this, so a config that
// passes check-config in CI does not crash-loop at deploy. Plug-ins are imported (their top
// level runs), exactly as serve will import them.
import { existsSync } from 'node:fs';
import { checkConfigFile, located, type ConfigProblem } from './load.js';
import type { Config, RouteConfig } from './schema.js';
import { routeWarnings, type RouteWarning } from './route-warnings.js';
import { readFlagFile, type FlagSet } from '../flags/flag-file.js';
import { createComparator, type CompareFn } from '../compare/index.js';
import { compilePatterns } from '../compare/pointer.js';
import { compileSchema, loadGatePlugin } from '../serve/gates.js';

export interface Preflight {
  /** The config file as the user named it. */
  source: string;
  /** The frozen config; null when there are problems. */
  config: Config | null;
  /** Every problem found, in file order; empty means serve can start. */
  problems: ConfigProblem[];
  /** Valid but probably not meant (see route-warnings.ts); only computed for a valid config. */
  warnings: RouteWarning[];
  /** What was loaded on the way (for reuse by whoever starts the proxy). */
  loaded: { flags: FlagSet | null; comparators: ReadonlyMap<string, CompareFn> };
}

/** Throws ShadowgateError SG_CONFIG_READ when the file cannot be read or is not YAML. */
export async function preflight(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Preflight> {
  const check = checkConfigFile(file, env);
  const found: { path: (string | number)[]; message: string }[] = [];
  const { usable } = check;

  let flags: FlagSet | null = null;
  if (usable.flagsFile !== undefined) {
    try {
      flags = await readFlagFile(usable.flagsFile);
    } catch (err) {
      for (const problem of flagProblems(err)) found.push({ path: ['flags', 'file'], message: problem });
    }
  }
  if (usable.redactFields) {
    try { compilePatterns(usable.redactFields, 'redact.fields'); } catch (err) { found.push(indexed([], (err as Error).message)); }
  }
  const comparators = new Map<string, CompareFn>();
  for (const { index, route } of usable.routes) {
    const at = (...rest: (string | number)[]) => ['routes', index, ...rest];
    const missing = (file: string | undefined, ...path: string[]) => {
      if (file === undefined || existsSync(file)) return false;
      found.push({ path: at(...path), message: `file not found: ${file}` });
      return true;
    };
    const gates = route.serve.gates;
    if (!missing(route.compare.plugin, 'compare', 'plugin')) {
      const comparator = await routeComparator(route, (path, message) => found.push({ path: at(...path), message }));
      if (comparator) comparators.set(route.name, comparator);
    }
    if (gates.schema && !missing(gates.schema, 'serve', 'gates', 'schema')) {
      try { compileSchema(gates.schema, String(index)); } catch (err) { found.push({ path: at('serve', 'gates', 'schema'), message: stripPrefix((err as Error).message, `routes[${index}].serve.gates.schema`) }); }
    }
    if (gates.plugin && !missing(gates.plugin, 'serve', 'gates', 'plugin')) {
      try { await loadGatePlugin(gates.plugin, String(index)); } catch (err) { found.push({ path: at('serve', 'gates', 'plugin'), message: stripPrefix((err as Error).message, `routes[${index}].serve.gates.plugin`) }); }
    }
  }

  const problems = [...check.problems, ...found.map((p) => located(p, check.lineOf))]
    .map((p, i) => ({ p, i })).sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i).map(({ p }) => p);
  const config = problems.length === 0 ? check.config : null;
  let warnings: RouteWarning[] = [];
  if (config !== null) {
    // Against a bootstrap file an Unleash server's flags are unknown: say nothing rather than guess.
    const names = flags !== null && config.flags.unleash === undefined ? new Set(flags.features.map((f) => f.name)) : null;
    warnings = routeWarnings(config.routes, names === null ? null : (name) => names.has(name));
  }
  return { source: check.source, config, problems, warnings, loaded: { flags, comparators } };
}

async function routeComparator(route: RouteConfig, report: (path: (string | number)[], message: string) => void): Promise<CompareFn | undefined> {
  try {
    return await createComparator(structuredClone(route.compare));
  } catch (err) {
    const message = (err as Error).message;
    if (!(err instanceof RangeError)) { report(['compare', 'plugin'], message); return undefined; }
    // "invalid compare options: ignore[0]: …; numericTolerance …": one problem each, at its key.
    for (const part of message.replace(/^invalid compare options: /, '').split('; ')) {
      const p = indexed([], part);
      report(['compare', ...p.path], p.message);
    }
    return undefined;
  }
}

/** "ignore[0]: bad" under `base` ⇒ path [...base, "ignore", 0] and message "bad". */
function indexed(base: (string | number)[], message: string): { path: (string | number)[]; message: string } {
  const m = /^([A-Za-z][\w.]*)\[(\d+)\]: ([\s\S]*)$/.exec(message);
  if (!m) return { path: base, message };
  return { path: [...base, ...m[1]!.split('.'), Number(m[2])], message: m[3]! };
}

/** One message per problem in the flags file; each already names the file (and where in it). */
function flagProblems(err: unknown): readonly string[] {
  const e = err as { message?: string; problems?: readonly string[] };
  return e.problems && e.problems.length > 0 ? e.problems : [e.message ?? String(err)];
}

function stripPrefix(message: string, path: string): string {
  return message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;
}
