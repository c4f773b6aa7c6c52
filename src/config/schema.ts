// The configuration contract: one schema, one set of defaults. Unknown keys are rejected
// so a typo never silently turns a feature off. Types are inferred from the schema.
import { z } from 'zod';
import { patternProblem } from '../routing/match.js';
import { parseCidr } from '../routing/client-address.js';

const METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
export const DEFAULT_REDACTED_HEADERS = ['authorization', 'cookie', 'set-cookie', 'proxy-authorization'];

// Values that came from ${ENV} interpolation are strings; accept numeric/boolean strings.
const numeric = (schema: z.ZodNumber) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v), schema);
const bool = () => z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
const port = () => numeric(z.number().int().min(0).max(65535));
const ms = () => numeric(z.number().int().min(1).max(24 * 3600 * 1000));
const httpUrl = () =>
  z.string().refine((s) => { try { const u = new URL(s); return u.protocol === 'http:' || u.protocol === 'https:'; } catch { return false; } },
    { message: 'expected an absolute http:// or https:// URL' });
const pointerPattern = () => z.string().regex(/^(\/[^/]*)*$/, 'expected a JSON Pointer pattern starting with "/" (e.g. /meta/requestId, /items/*/id, /**/timestamp)');
const headerName = () => z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name').transform((s) => s.toLowerCase());

const server = z.strictObject({
  port: port().default(8080),
  host: z.string().default('0.0.0.0'),
  /** Response header naming who served the answer; false turns it off. */
  servedByHeader: z.union([headerName(), z.literal(false)]).default('x-shadowgate-served-by'),
  keepAliveTimeoutMs: ms().default(65_000),
  /** A client must send its whole request head within this; slower ones get 408 and are cut. */
  headersTimeoutMs: ms().default(10_000),
  /** A client must send its whole request (head and body) within this. */
  requestTimeoutMs: ms().default(60_000),
  /** Open client connections; more are refused (shadowgate_connections_rejected_total). */
  maxConnections: numeric(z.number().int().min(1).max(1_000_000)).default(10_000),
  /** Largest number of sockets kept to legacy. */
  maxSockets: numeric(z.number().int().min(1)).default(1024),
  /** After SIGTERM: how long in-flight requests may take to finish before they are cut. */
  shutdownTimeoutMs: ms().default(25_000),
  /** After SIGTERM: how long to keep serving normally before draining (endpoint propagation). */
  shutdownDelayMs: numeric(z.number().int().min(0).max(24 * 3600 * 1000)).default(0),
}).prefault({});

const admin = z.strictObject({
  port: port().default(9090),
  /** Defaults to 0.0.0.0 with a token, 127.0.0.1 without one. */
  host: z.string().optional(),
  token: z.string().min(1).optional(),
}).prefault({});

const log = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** pretty: one human line per event; json: pino JSON lines. Unset: pretty when stdout is a terminal, else json (decided at start, see log.ts). */
  format: z.enum(['pretty', 'json']).optional(),
}).prefault({});

const legacy = z.strictObject({
  url: httpUrl(),
  /** Idle timeout: no byte from legacy for this long (before or during the answer) ends the call. */
  timeoutMs: ms().default(30_000),
  /** Idle timeout once legacy answers text/event-stream (quiet streams are normal); 0 = none. */
  streamIdleTimeoutMs: numeric(z.number().int().min(0)).default(0),
  /** GET this path (relative to url) for readiness instead of a TCP connect; a status below 500 is healthy. */
  healthPath: z.string().regex(/^\//, 'expected a path starting with "/"').optional(),
  /** How long a readiness probe of legacy is reused. */
  healthCacheMs: numeric(z.number().int().min(0).max(3_600_000)).default(2000),
});

const agent = z.strictObject({
  url: httpUrl(),
  timeoutMs: ms().default(10_000),
  maxInFlight: numeric(z.number().int().min(1).max(100_000)).default(256),
  /** Agent response bodies are read up to this size; the rest is discarded and the sample marked truncated. */
  maxResponseBytes: numeric(z.number().int().min(0)).default(1_048_576),
  /** Requests the agent may be serving at once (all routes); more are served by legacy (fallback reason backpressure). */
  maxServeInFlight: numeric(z.number().int().min(1).max(100_000)).default(512),
});

/** Built-in redact.patterns: e-mail addresses, Luhn-valid card numbers of 13-19 digits, Bearer tokens. */
export const REDACT_PATTERN_NAMES = ['email', 'card', 'bearer'] as const;
const userRegex = () => z.string().min(1).superRefine((source, ctx) => {
  let re: RegExp;
  try { re = new RegExp(source, 'g'); } catch (err) { ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` }); return; }
  // A pattern that matches "" would mask between every two characters.
  if (re.test('')) ctx.addIssue({ code: 'custom', message: 'the regular expression matches the empty string' });
});

const redact = z.strictObject({
  headers: z.array(headerName()).default(DEFAULT_REDACTED_HEADERS),
  /** JSON Pointer patterns masked in stored samples (request and both responses). */
  fields: z.array(pointerPattern()).default([]),
  /** Masked in every string of stored samples, suites and logs: built-ins by name, or {name, regex}. */
  patterns: z.array(z.union([
    z.string(),
    z.strictObject({ name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "_" or "-"'), regex: userRegex() }),
  ]).superRefine((p, ctx) => {
    if (typeof p === 'string' && !(REDACT_PATTERN_NAMES as readonly string[]).includes(p)) {
      ctx.addIssue({ code: 'custom', message: `expected a built-in pattern (${REDACT_PATTERN_NAMES.join(', ')}) or {name, regex}, received "${p}"` });
    }
  }).transform((p) => p as (typeof REDACT_PATTERN_NAMES)[number] | { name: string; regex: string })).default([]),
}).prefault({});

const shadowBudget = z.strictObject({
  /** Total bytes all in-flight shadows may hold (request + both responses). Over it: drop, reason buffer_full. */
  maxBufferedBytes: numeric(z.number().int().min(1024)).default(64 * 1024 * 1024),
  /** Legacy response bodies are captured for comparison up to this size. */
  maxCaptureBytes: numeric(z.number().int().min(0)).default(1_048_576),
}).prefault({});

const samples = z.strictObject({
  max: numeric(z.number().int().min(1).max(100_000)).default(1000),
  /** Each stored body is cut at this size. */
  maxBodyBytes: numeric(z.number().int().min(0)).default(64 * 1024),
  /** Recent comparisons per route kept for the agreement ratio in /api/routes. */
  window: numeric(z.number().int().min(1).max(100_000)).default(500),
}).prefault({});

const metrics = z.strictObject({
  /** Distinct mismatch field labels per route; further fields are counted as "other". */
  maxFieldsPerRoute: numeric(z.number().int().min(1).max(1000)).default(20),
  /** Distinct agent tool names per route; further tools are counted as "other". */
  maxToolsPerRoute: numeric(z.number().int().min(1).max(1000)).default(20),
}).prefault({});

const tracing = z.strictObject({
  enabled: bool().default(false),
  /** OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318/v1/traces. */
  otlpEndpoint: httpUrl().optional(),
  serviceName: z.string().default('shadowgate'),
  sampleRatio: numeric(z.number().min(0).max(1)).default(1),
}).prefault({});

const contextSource = z.strictObject({ header: headerName().optional(), cookie: z.string().optional() });
/** A named property's source: a header, a cookie, or both (the header wins when both are sent). */
const propertySource = contextSource.refine((s) => s.header !== undefined || s.cookie !== undefined, { message: 'expected a header, a cookie or both' });
const STANDARD_CONTEXT_FIELDS: ReadonlySet<string> = new Set(['userId', 'sessionId', 'remoteAddress', 'appName', 'environment', 'currentTime', 'properties']);
/** Property names as Unleash uses them in constraints and custom stickiness (case matters). */
function propertyNameProblem(name: string): string | undefined {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/.test(name)) return 'expected an Unleash context field name (1-100 letters, digits or "-_." without spaces)';
  if (name === '__proto__' || name === 'constructor' || name === 'prototype') return 'reserved name';
  if (STANDARD_CONTEXT_FIELDS.has(name)) {
    return 'this name is a standard Unleash context field, not a property: configure it as flags.context.userId/sessionId/remoteAddress (appName/environment: flags.appName/flags.environment; currentTime is the proxy\'s clock)';
  }
  return undefined;
}
const cidr = () => z.string().refine((s) => parseCidr(s) !== undefined, { message: 'expected an IP address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1/32, fd00::/8)' });
const flags = z.strictObject({
  file: z.string().optional(),
  watch: bool().default(true),
  /** Unleash's static context for both flag sources (constraints on appName, metrics); defaults to shadowgate. */
  appName: z.string().min(1).optional(),
  /** Unleash's static context environment for both flag sources; defaults to "default" (as unleash-client). */
  environment: z.string().min(1).optional(),
  unleash: z.strictObject({
    url: httpUrl(),
    token: z.string().min(1),
    /** Alias of flags.appName (kept for configs written before it). */
    appName: z.string().min(1).optional(),
    /** Alias of flags.environment. */
    environment: z.string().min(1).optional(),
    refreshIntervalMs: numeric(z.number().int().min(1000)).default(5000),
    instanceId: z.string().optional(),
  }).optional(),
  context: z.strictObject({
    userId: contextSource.default({ header: 'x-user-id' }),
    sessionId: contextSource.default({ header: 'x-session-id' }),
    /**
     * Unleash context properties (for constraints and custom stickiness). A map
     * `{ tenantId: { header: x-tenant-id }, plan: { cookie: plan } }`, or a list of header
     * names (each property named after its lower-cased header). Normalised to the map form.
     */
    properties: z.preprocess(
      (v) => (Array.isArray(v) && v.every((h) => typeof h === 'string') ? Object.fromEntries(v.map((h: string) => [h.toLowerCase(), { header: h }])) : v),
      z.record(z.string(), propertySource).superRefine((record, ctx) => {
        for (const name of Object.keys(record)) {
          const problem = propertyNameProblem(name);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: problem });
        }
      }),
    ).default({}),
    /**
     * The client's address (Unleash remoteAddress: the remoteAddress strategy, IN_CIDR). The
     * socket peer, unless it is one of trustedProxies: then the right-most address in `header`
     * that is not a trusted proxy.
     */
    remoteAddress: z.strictObject({
      header: headerName().default('x-forwarded-for'),
      trustedProxies: z.array(cidr()).default([]),
    }).prefault({}),
  }).prefault({}),
}).superRefine((f, ctx) => {
  for (const key of ['appName', 'environment'] as const) {
    const alias = f.unleash?.[key];
    if (alias !== undefined && f[key] !== undefined && alias !== f[key]) {
      ctx.addIssue({ code: 'custom', path: ['unleash', key], message: `conflicts with flags.${key} ("${alias}" vs "${f[key]}"): flags.unleash.${key} is an alias of flags.${key}, set one of them` });
    }
  }
}).transform((f) => {
  // One value for both sources; the unleash block carries it too, as unleash-client takes it there.
  const appName = f.appName ?? f.unleash?.appName ?? 'shadowgate';
  const environment = f.environment ?? f.unleash?.environment ?? 'default';
  return { ...f, appName, environment, unleash: f.unleash === undefined ? undefined : { ...f.unleash, appName, environment } };
}).prefault({});

const routeName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 characters of letters, digits, "_", "." or "-"')
  .refine((n) => n !== 'unmatched', { message: '"unmatched" is reserved for requests that match no route' });

const compare = z.strictObject({
  status: bool().default(true),
  headers: z.array(headerName()).default(['content-type']),
  ignore: z.array(pointerPattern()).default([]),
  numericTolerance: numeric(z.number().min(0).max(1)).default(0),
  unorderedArrays: z.array(pointerPattern()).default([]),
  strings: z.strictObject({ trim: bool().default(false), caseInsensitive: bool().default(false), collapseWhitespace: bool().default(false) }).prefault({}),
  text: z.strictObject({ mode: z.enum(['exact', 'normalized', 'similarity']).default('exact'), threshold: numeric(z.number().min(0).max(1)).default(0.9) }).prefault({}),
  /** Path to a JS/TS module exporting compare(legacy, agent, ctx); relative to the config file. */
  plugin: z.string().optional(),
  maxDifferences: numeric(z.number().int().min(1).max(10_000)).default(50),
}).prefault({});

const gates = z.strictObject({
  minConfidence: numeric(z.number().min(0).max(1)).optional(),
  confidence: z.union([z.strictObject({ header: headerName() }), z.strictObject({ pointer: pointerPattern() })]).optional(),
  schema: z.string().optional(),
  plugin: z.string().optional(),
  /** Agent statuses that pass; default: anything below 500. */
  acceptStatus: z.array(numeric(z.number().int().min(100).max(599))).optional(),
}).prefault({});

const candidateName = () => z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected a candidate name: 1-64 letters, digits, "_", "." or "-"');

const serve = z.strictObject({
  timeoutMs: ms().default(3000),
  fallback: z.enum(['on-failure', 'parallel']).default('on-failure'),
  gates,
  /** Retry transient agent failures for non-idempotent methods too. */
  retryNonIdempotent: bool().default(false),
  /** With parallel fallback: percent of agent-served requests for which legacy is also called and compared. */
  compareLegacyPercent: numeric(z.number().min(0).max(100)).default(100),
  /** Parallel fallback: legacy's answer is held up to this size while the agent is judged. */
  maxLegacyBodyBytes: numeric(z.number().int().min(0)).default(16 * 1024 * 1024),
  /** Serve an answer at least minAgree of these candidates agree on (else legacy, reason no_quorum). */
  quorum: z.strictObject({
    candidates: z.array(candidateName()).min(2, 'expected at least 2 candidates'),
    minAgree: numeric(z.number().int().min(1)).default(2),
  }).optional(),
}).prefault({});

const guardrail = z.strictObject({
  minAgreement: numeric(z.number().min(0).max(1)).default(0.9),
  maxErrorRate: numeric(z.number().min(0).max(1)).default(0.2),
  minSamples: numeric(z.number().int().min(1)).default(50),
  window: numeric(z.number().int().min(1).max(100_000)).default(200),
  coolDownMs: numeric(z.number().int().min(0)).default(0),
  /** Confidence of the Wilson bounds behind the trip rule. */
  confidence: numeric(z.number().gt(0).lt(1)).default(0.95),
}).prefault({});

const breaker = z.strictObject({
  /** Consecutive agent failures that open the circuit. */
  consecutiveFailures: numeric(z.number().int().min(1)).default(5),
  /** How long the circuit stays open before a half-open probe. */
  halfOpenAfterMs: ms().default(10_000),
}).prefault({});

const reportSource = () => z.union([z.strictObject({ header: headerName() }), z.strictObject({ pointer: pointerPattern() })]);
/** Where the agent reports on its own work; each source is a response header or a JSON Pointer into its body. */
const agentReport = z.strictObject({
  confidence: reportSource().optional(),   // defaults to serve.gates.confidence
  inputTokens: reportSource().optional(),
  outputTokens: reportSource().optional(),
  model: reportSource().optional(),
  toolCalls: z.strictObject({
    pointer: pointerPattern(),
    name: z.string().default('name'),
    outcome: z.string().default('outcome'),
  }).optional(),
}).prefault({});

/** Per route: extra legacy and agent calls that measure each side's own noise (off when absent). */
const calibration = z.strictObject({
  percent: numeric(z.number().min(0).max(100)).default(5),
  maxInFlight: numeric(z.number().int().min(1).max(10_000)).default(4),
  window: numeric(z.number().int().min(1).max(100_000)).default(1000),
  minSamples: numeric(z.number().int().min(1)).default(30),
  alpha: numeric(z.number().gt(0).lt(1)).default(0.01),
});

const promotionLevel = (defaults: { minAgreement: number; minSamples: number; maxErrorRate: number }) => z.strictObject({
  minAgreement: numeric(z.number().min(0).max(1)).default(defaults.minAgreement),
  confidence: numeric(z.number().gt(0).lt(1)).default(0.95),
  minSamples: numeric(z.number().int().min(1)).default(defaults.minSamples),
  maxErrorRate: numeric(z.number().min(0).max(1)).default(defaults.maxErrorRate),
  /** Agent p99 at most this times legacy p99 (unchecked when absent). */
  maxP99Ratio: numeric(z.number().gt(0)).optional(),
  /** Over at least 10 review verdicts (unchecked when absent). */
  minAdjudicatedAccuracy: numeric(z.number().min(0).max(1)).optional(),
}).prefault({});
/** What each next serve level needs before it is called ready. */
const promotion = z.strictObject({
  conditional: promotionLevel({ minAgreement: 0.95, minSamples: 200, maxErrorRate: 0.05 }),
  full: promotionLevel({ minAgreement: 0.99, minSamples: 1000, maxErrorRate: 0.01 }),
}).prefault({});

/** Per route: the share of comparisons written to the golden suite (off when absent). */
const record = z.strictObject({
  percent: numeric(z.number().min(0).max(100)).default(1),
  /** Cases with a request or answer body larger than this are not recorded. */
  maxBodyBytes: numeric(z.number().int().min(0)).default(65_536),
});

const suites = z.strictObject({
  dir: z.string().min(1).default('./suites'),
  maxFileBytes: numeric(z.number().int().min(1024)).default(64 * 1024 * 1024),
  /** Files per route, the live one included; the oldest is removed. */
  maxFiles: numeric(z.number().int().min(1).max(1000)).default(10),
}).prefault({});

/** Further agents beside `agent` (which is the candidate named "agent"). */
const candidate = z.strictObject({
  name: candidateName(),
  url: httpUrl(),
  timeoutMs: ms().default(10_000),
});

const route = z.strictObject({
  name: routeName,
  match: z.strictObject({
    path: z.string().superRefine((p, ctx) => {
      const problem = patternProblem(p);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    methods: z.array(z.string().transform((m) => m.toUpperCase()).pipe(z.enum(METHODS)))
      .min(1, 'expected at least one method (leave methods out to match every method)').optional(),
  }),
  /** Unleash flag names; defaults <route>.shadow, <route>.serve, <route>.kill (filled in by load.ts). */
  flags: z.strictObject({
    shadow: z.string().min(1).optional(),
    serve: z.string().min(1).optional(),
    /** Fleet-wide kill: on for a request ⇒ legacy answers (fallback reason killed); shadowing continues. */
    kill: z.string().min(1).optional(),
  }).prefault({}),
  shadow: z.strictObject({
    /** Static sample percentage; the shadow flag, when defined, must also be on. */
    percent: numeric(z.number().min(0).max(100)).default(100),
    sideEffects: bool().default(false),
    maxBodyBytes: numeric(z.number().int().min(0)).default(1_048_576),
    /** Redacted headers this route still sends to the agent (opt-in). */
    forwardHeaders: z.array(headerName()).default([]),
  }).prefault({}),
  compare,
  serve,
  guardrail,
  breaker,
  agentReport,
  calibration: calibration.optional(),
  promotion,
  record: record.optional(),
  /** Candidates this route shadows instead of `agent`; the first drives route-level series, guardrail and readiness. */
  candidates: z.array(candidateName()).min(1).optional(),
});

export const configSchema = z.strictObject({
  server,
  admin,
  log,
  legacy,
  agent,
  redact,
  shadow: shadowBudget,
  samples,
  metrics,
  tracing,
  flags,
  suites,
  candidates: z.array(candidate).default([]),
  routes: z.array(route).min(1, 'expected at least one route').superRefine((routes, ctx) => {
    const seen = new Set<string>();
    routes.forEach((r, i) => {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate route name "${r.name}"` });
      seen.add(r.name);
    });
  }),
}).superRefine(checkEvaluationReferences);

/** Cross-checks of issue 12's keys: candidate names, pattern names, suite file names. */
function checkEvaluationReferences(config: {
  candidates: { name: string }[];
  redact: { patterns: (string | { name: string })[] };
  routes: { name: string; candidates?: string[]; serve: { quorum?: { candidates: string[]; minAgree: number } }; record?: unknown }[];
}, ctx: z.RefinementCtx): void {
  const known = new Set(['agent']);
  config.candidates.forEach((c, i) => {
    if (known.has(c.name)) {
      ctx.addIssue({ code: 'custom', path: ['candidates', i, 'name'], message: c.name === 'agent' ? '"agent" is the name of the top-level agent' : `duplicate candidate name "${c.name}"` });
    }
    known.add(c.name);
  });
  const knownList = [...known].join(', ');
  const checkNames = (names: string[], path: (string | number)[]) => {
    const seen = new Set<string>();
    names.forEach((name, j) => {
      if (!known.has(name)) ctx.addIssue({ code: 'custom', path: [...path, j], message: `unknown candidate "${name}" (known: ${knownList})` });
      else if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [...path, j], message: `candidate "${name}" listed twice` });
      seen.add(name);
    });
  };
  const patternNames = new Set<string>();
  config.redact.patterns.forEach((p, i) => {
    const name = typeof p === 'string' ? p : p.name;
    if (patternNames.has(name)) ctx.addIssue({ code: 'custom', path: ['redact', 'patterns', i], message: `redact pattern "${name}" listed twice` });
    patternNames.add(name);
  });
  const recorded = new Set(config.routes.filter((r) => r.record).map((r) => r.name));
  config.routes.forEach((r, i) => {
    if (r.candidates) checkNames(r.candidates, ['routes', i, 'candidates']);
    const quorum = r.serve.quorum;
    if (quorum) {
      checkNames(quorum.candidates, ['routes', i, 'serve', 'quorum', 'candidates']);
      if (quorum.minAgree > quorum.candidates.length) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'serve', 'quorum', 'minAgree'], message: `minAgree ${quorum.minAgree} is more than the ${quorum.candidates.length} candidates listed` });
      }
    }
    // Rotated suite files are <route>.<n>.jsonl: route "a.1" would write into route "a"'s files.
    const rotated = /^(.+)\.(\d+)$/.exec(r.name);
    if (r.record && rotated && recorded.has(rotated[1]!)) {
      ctx.addIssue({ code: 'custom', path: ['routes', i, 'name'], message: `route "${r.name}" would share suite files with route "${rotated[1]}" (rotated files are <route>.<n>.jsonl)` });
    }
  });
}

export type Config = z.infer<typeof configSchema>;
export type RouteConfig = Config['routes'][number];
export type CompareConfig = RouteConfig['compare'];
export type PromotionConfig = RouteConfig['promotion'];
export type CalibrationConfig = NonNullable<RouteConfig['calibration']>;
export type RecordConfig = NonNullable<RouteConfig['record']>;
export type SuitesConfig = Config['suites'];
export type RedactPatternConfig = Config['redact']['patterns'][number];
export type CandidateConfig = Config['candidates'][number];
export type HttpMethod = (typeof METHODS)[number];

/** Sections validated on their own when the whole file fails, so deeper checks can still run on them. */
export const routeSchema = route;
export const flagsSchema = flags;
