// Reads the YAML file, interpolates ${ENV} after parsing (so quoting works), validates
// against the schema reporting every problem with its key path, line and the value received,
// resolves relative paths against the config file's folder, and freezes the result.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { ShadowgateError } from '../errors.js';
import { configSchema, routeSchema, flagsSchema, type Config, type RouteConfig } from './schema.js';
import { formatPath, formatProblems, problemsOfIssue, type ConfigProblem } from './problems.js';
import { lineOf, parseYamlSource, type YamlSource } from './yaml-source.js';

export { formatPath, formatProblems, type ConfigProblem } from './problems.js';

export interface LoadOptions { env?: NodeJS.ProcessEnv; baseDir?: string; source?: string; yaml?: YamlSource }

/** The outcome of validating a config, good or bad. */
export interface ConfigCheck {
  /** The file as the user named it (or "<config>"). */
  source: string;
  /** The frozen config; null when there are problems. */
  config: Config | null;
  problems: ConfigProblem[];
  /**
   * The parts that passed the schema on their own, paths resolved, so that deeper checks
   * (flags file, plug-ins, gate schemas) can run even when another part of the file is wrong.
   */
  usable: { flagsFile?: string; routes: { index: number; route: RouteConfig }[]; redactFields?: readonly string[] };
  /** 1-based line of a key path in the file, when known (for problems found by later checks). */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/** Throws SG_CONFIG_READ (unreadable, not YAML) or SG_CONFIG_INVALID listing every problem. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  return orThrow(checkConfigFile(file, env));
}

export function buildConfig(raw: unknown, options: LoadOptions = {}): Config {
  return orThrow(checkConfig(raw, options));
}

/** Validates without throwing for schema problems; throws SG_CONFIG_READ when the file cannot be read or parsed. */
export function checkConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): ConfigCheck {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ShadowgateError('SG_CONFIG_READ', `${file}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  const yaml = parseYamlSource(text, file);
  return checkConfig(yaml.doc.toJS() ?? {}, { env, baseDir: dirname(path), source: file, yaml });
}

export function checkConfig(raw: unknown, options: LoadOptions = {}): ConfigCheck {
  const source = options.source ?? '<config>';
  const baseDir = options.baseDir ?? process.cwd();
  const found: { path: PropertyKey[]; message: string }[] = [];
  const interpolated = interpolate(raw, options.env ?? process.env, [], found);
  // A key whose ${VAR} is not set was dropped above; the schema would call it missing too.
  const unset = new Set(found.map((p) => formatPath(p.path)));
  const parsed = configSchema.safeParse(interpolated, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      for (const p of problemsOfIssue(issue, configSchema)) {
        if (issue.code !== 'unrecognized_keys' && unset.has(formatPath(p.path))) continue;
        found.push(p);
      }
    }
  }
  // File order reads best; problems without a line (the whole file) keep their place first.
  const problems = found.map((p) => located(p, (path) => (options.yaml ? lineOf(options.yaml, path) : undefined))).map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i).map(({ p }) => p);
  const lineAt = (path: readonly PropertyKey[]) => (options.yaml ? lineOf(options.yaml, path) : undefined);
  if (parsed.success && problems.length === 0) {
    const config = parsed.data;
    complete(config, baseDir);
    return {
      source, config: deepFreeze(config), problems, lineOf: lineAt,
      usable: { flagsFile: config.flags.file, routes: config.routes.map((route, index) => ({ index, route })), redactFields: config.redact.fields },
    };
  }
  return { source, config: null, problems, lineOf: lineAt, usable: salvage(interpolated, baseDir) };
}

function orThrow(check: ConfigCheck): Config {
  if (check.config !== null) return check.config;
  throw configError(check.source, check.problems);
}

/** SG_CONFIG_INVALID with the file named once and one line per problem; details lists "path: message". */
export function configError(source: string, problems: readonly ConfigProblem[]): ShadowgateError {
  return new ShadowgateError('SG_CONFIG_INVALID', formatProblems(source, problems), {
    details: problems.map((p) => `${p.path || '(top level)'}: ${p.message}`),
  });
}

export function located(p: { path: readonly PropertyKey[]; message: string }, lineAt: (path: readonly PropertyKey[]) => number | undefined): ConfigProblem {
  const line = lineAt(p.path);
  return line === undefined ? { path: formatPath(p.path), message: p.message } : { path: formatPath(p.path), message: p.message, line };
}

/** The flags section and the routes that are valid on their own, completed like a good config. */
function salvage(interpolated: unknown, baseDir: string): ConfigCheck['usable'] {
  const raw = (interpolated ?? {}) as { flags?: unknown; routes?: unknown; redact?: { fields?: unknown } };
  const usable: ConfigCheck['usable'] = { routes: [] };
  const flags = flagsSchema.safeParse(raw.flags);
  if (flags.success) usable.flagsFile = flagsFileOf(flags.data.file, baseDir);
  if (Array.isArray(raw.routes)) {
    raw.routes.forEach((r: unknown, index) => {
      const route = routeSchema.safeParse(r);
      if (route.success) { completeRoute(route.data, baseDir); usable.routes.push({ index, route: route.data }); }
    });
  }
  if (Array.isArray(raw.redact?.fields) && raw.redact.fields.every((f) => typeof f === 'string')) usable.redactFields = raw.redact.fields as string[];
  return usable;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: (string | number)[], problems: { path: PropertyKey[]; message: string }[]): unknown {
  if (typeof value === 'string') {
    let missing = false;
    const out = value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push({ path, message: `environment variable ${name} is not set` });
      missing = true;
      return '';
    });
    // Drop the value so the schema does not report the same key a second time; a key
    // that is only a reference resolving to "" (${VAR:-}) counts as not set.
    if (missing) return undefined;
    return out === '' && /^\$\{[^}]+\}$/.test(value) ? undefined : out;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], problems));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, [...path, k], problems)]));
  }
  return value;
}

// Fills defaults that depend on other values and resolves relative paths.
function complete(config: Config, baseDir: string): void {
  config.flags.file = flagsFileOf(config.flags.file, baseDir);
  if (config.flags.file === undefined) delete config.flags.file;
  if (!isAbsolute(config.suites.dir)) config.suites.dir = resolve(baseDir, config.suites.dir);
  for (const route of config.routes) completeRoute(route, baseDir);
}

function flagsFileOf(file: string | undefined, baseDir: string): string | undefined {
  if (file !== undefined) return isAbsolute(file) ? file : resolve(baseDir, file);
  // Convention: a flags.json beside the config file is the embedded default.
  return existsSync(resolve(baseDir, 'flags.json')) ? resolve(baseDir, 'flags.json') : undefined;
}

function completeRoute(route: RouteConfig, baseDir: string): void {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  route.flags.shadow ??= `${route.name}.shadow`;
  route.flags.serve ??= `${route.name}.serve`;
  route.flags.kill ??= `${route.name}.kill`;
  if (route.compare.plugin) route.compare.plugin = abs(route.compare.plugin);
  if (route.serve.gates.schema) route.serve.gates.schema = abs(route.serve.gates.schema);
  if (route.serve.gates.plugin) route.serve.gates.plugin = abs(route.serve.gates.plugin);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
