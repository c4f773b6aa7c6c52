// Reads the YAML file, interpolates ${ENV} after parsing (so quoting works), validates
// against the schema reporting every problem with its key path, resolves relative paths
// against the config file's folder, and freezes the result.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ShadowgateError } from '../errors.js';
import { configSchema, type Config } from './schema.js';

export interface LoadOptions { env?: NodeJS.ProcessEnv; baseDir?: string; source?: string }

export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ShadowgateError('SG_CONFIG_READ', `${file}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new ShadowgateError('SG_CONFIG_READ', `${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return buildConfig(raw ?? {}, { env, baseDir: dirname(path), source: file });
}

export function buildConfig(raw: unknown, options: LoadOptions = {}): Config {
  const source = options.source ?? '<config>';
  const problems: string[] = [];
  const interpolated = interpolate(raw, options.env ?? process.env, [], problems);
  // A key whose ${VAR} is not set was dropped above; the schema would call it missing too.
  const unset = new Set(problems.map((p) => p.slice(0, p.indexOf(': environment variable '))));
  const parsed = configSchema.safeParse(interpolated);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const path = key === undefined ? issue.path : [...issue.path, key];
        if (key === undefined && unset.has(formatPath(path))) continue;
        const message = key === undefined ? explain(issue.message) : 'unknown key';
        problems.push(`${formatPath(path) || '(top level)'}: ${message}`);
      }
    }
  }
  if (problems.length > 0 || !parsed.success) {
    const list = problems.map((p) => `  - ${source}: ${p}`).join('\n');
    throw new ShadowgateError('SG_CONFIG_INVALID', `${source}: ${problems.length} configuration problem(s):\n${list}`, { details: problems });
  }
  const config = parsed.data;
  complete(config, options.baseDir ?? process.cwd());
  return deepFreeze(config);
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: (string | number)[], problems: string[]): unknown {
  if (typeof value === 'string') {
    let missing = false;
    const out = value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      problems.push(`${formatPath(path)}: environment variable ${name} is not set`);
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

function explain(message: string): string {
  return message.replace(/^Invalid input: /, '');
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

// Fills defaults that depend on other values and resolves relative paths.
function complete(config: Config, baseDir: string): void {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  if (config.flags.file !== undefined) {
    config.flags.file = abs(config.flags.file);
  } else if (existsSync(resolve(baseDir, 'flags.json'))) {
    // Convention: a flags.json beside the config file is the embedded default.
    config.flags.file = resolve(baseDir, 'flags.json');
  }
  config.suites.dir = abs(config.suites.dir);
  for (const route of config.routes) {
    route.flags.shadow ??= `${route.name}.shadow`;
    route.flags.serve ??= `${route.name}.serve`;
    if (route.compare.plugin) route.compare.plugin = abs(route.compare.plugin);
    if (route.serve.gates.schema) route.serve.gates.schema = abs(route.serve.gates.schema);
    if (route.serve.gates.plugin) route.serve.gates.plugin = abs(route.serve.gates.plugin);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
