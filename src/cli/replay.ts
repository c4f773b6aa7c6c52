// `shadowgate replay`: replays golden suites against a candidate agent. Exit 0 when overall
// agreement reaches --min-agreement, 1 below it, 2 on usage or input errors.
import { writeFile } from 'node:fs/promises';
import { createComparator, DEFAULT_COMPARE_OPTIONS, type CompareFn } from '../compare/index.js';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { ShadowgateError } from '../errors.js';
import { replayCases } from '../replay/engine.js';
import { renderHtml } from '../replay/html.js';
import { Progress } from '../replay/progress.js';
import { buildReport, formatTable } from '../replay/report.js';
import { readSuites, type LoadedCase } from '../suites/read.js';
import { EXIT, runCommand, type Command, type Invocation, type Io } from './command.js';

interface Options {
  files: string[];
  agent: string;
  config?: string;
  route?: string;
  concurrency: number;
  minAgreement: number;
  timeoutMs?: number;
  report?: { file: string; kind: 'json' | 'html' };
}

/** The options, or a usage error message. */
function optionsOf(call: Invocation): Options | string {
  const v = call.values as Record<string, string | undefined>;
  if (call.positionals.length === 0) return 'replay needs at least one SUITE.jsonl';
  if (!v.agent) return 'replay needs --agent URL';
  try {
    const u = new URL(v.agent);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch { return `--agent: expected an absolute http:// or https:// URL, got "${v.agent}"`; }
  const int = (name: string, min: number, max: number): number | string | undefined => {
    const raw = v[name];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    return Number.isInteger(n) && n >= min && n <= max ? n : `--${name}: expected an integer from ${min} to ${max}, got "${raw}"`;
  };
  const concurrency = int('concurrency', 1, 256);
  const timeoutMs = int('timeout-ms', 1, 3_600_000);
  if (typeof concurrency === 'string') return concurrency;
  if (typeof timeoutMs === 'string') return timeoutMs;
  const minAgreement = v['min-agreement'] === undefined ? 1 : Number(v['min-agreement']);
  if (!(minAgreement >= 0 && minAgreement <= 1)) return `--min-agreement: expected a number from 0 to 1, got "${v['min-agreement']}"`;
  let report: Options['report'];
  if (v.report !== undefined) {
    const kind = /\.json$/i.test(v.report) ? 'json' : /\.html?$/i.test(v.report) ? 'html' : null;
    if (!kind) return `--report: expected a file ending in .json or .html, got "${v.report}"`;
    report = { file: v.report, kind };
  }
  return { files: [...call.positionals], agent: v.agent, config: v.config, route: v.route, concurrency: concurrency ?? 4, minAgreement, timeoutMs, report };
}

/** One compiled comparator per configured route; built-in rules for the rest. */
async function comparators(config: Config | null, cases: readonly LoadedCase[], io: Io): Promise<(route: string) => CompareFn> {
  const byRoute = new Map<string, CompareFn>();
  for (const route of config?.routes ?? []) byRoute.set(route.name, await createComparator(structuredClone(route.compare)));
  const fallback = await createComparator(structuredClone(DEFAULT_COMPARE_OPTIONS));
  if (config) {
    const unknown = [...new Set(cases.map((c) => c.case.route))].filter((r) => !byRoute.has(r)).sort();
    for (const route of unknown) io.stderr.write(`replay: route "${route}" is not in the config; its cases use the built-in compare rules\n`);
  }
  return (route) => byRoute.get(route) ?? fallback;
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay golden suites against a candidate agent (exit 0 pass, 1 below --min-agreement)',
  synopsis: 'SUITE.jsonl [SUITE2.jsonl ...] --agent URL [--config FILE] [--route NAME] [--concurrency N] [--min-agreement X] [--timeout-ms N] [--report FILE]',
  description: `Replays every case of the golden suites against a candidate agent (header
x-shadowgate-replay: 1) and compares its answers with the recorded ones using each route's
comparator from --config (built-in rules without one). Cases with verdict legacy_correct or
both_wrong are excluded; agent_correct cases are compared with the agent answer judged
correct; both_ok cases match either recorded answer. Progress goes to stderr, the per-route
table to stdout.`,
  arguments: [{ name: 'SUITE.jsonl', description: 'suite files (<route>.jsonl, <route>.<n>.jsonl); one or more', variadic: true }],
  options: {
    agent: { type: 'string', value: 'URL', description: 'the candidate agent (required)' },
    config: { type: 'string', short: 'c', value: 'FILE', description: "shadowgate config: each route's compare rules" },
    route: { type: 'string', value: 'NAME', description: "replay only this route's cases (the others count as skipped)" },
    concurrency: { type: 'string', value: 'N', description: 'calls in flight (default 4)' },
    'min-agreement': { type: 'string', value: 'X', description: 'pass when match / (match + mismatch + agent_error) >= X (default 1.0)' },
    'timeout-ms': { type: 'string', value: 'N', description: 'per-call timeout (default agent.timeoutMs of --config, else 10000)' },
    report: { type: 'string', value: 'FILE', description: 'write the report: FILE.json, or FILE.html (one self-contained page)' },
  },
  exitStatus: ['0  agreement >= --min-agreement', '1  agreement below it, or nothing compared', '2  usage or input error (unreadable suite, malformed line: file and line named)'],
  async run(call) {
    const options = optionsOf(call);
    if (typeof options === 'string') return call.usage(options);
    return replay(options, call.io);
  },
};

/** `shadowgate replay ARGS`, for callers outside the command table. */
export function run(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  return runCommand(replayCommand, argv, io);
}

async function replay(options: Options, io: Io): Promise<number> {
  let config: Config | null = null;
  let cases: LoadedCase[];
  let comparatorFor: (route: string) => CompareFn;
  try {
    if (options.config) config = loadConfigFile(options.config);
    cases = await readSuites(options.files);
    if (cases.length === 0) throw new InputError(`no cases in ${options.files.join(', ')}`);
    if (options.route !== undefined && !cases.some((c) => c.case.route === options.route)) {
      throw new InputError(`--route ${options.route}: no case of that route in the suites (routes: ${[...new Set(cases.map((c) => c.case.route))].sort().join(', ')})`);
    }
    comparatorFor = await comparators(config, cases, io);
  } catch (err) {
    io.stderr.write(`${err instanceof ShadowgateError || err instanceof InputError ? err.message : `replay failed: ${String(err)}`}\n`);
    return EXIT.usage;
  }

  const progress = new Progress(cases.length, io.stderr);
  const startedAt = performance.timeOrigin + performance.now();
  const outcomes = await replayCases(cases, {
    agentUrl: options.agent, concurrency: options.concurrency, route: options.route, comparatorFor,
    timeoutMs: options.timeoutMs ?? config?.agent.timeoutMs ?? 10_000,
    maxResponseBytes: config?.agent.maxResponseBytes ?? 1_048_576,
    onCase: () => progress.tick(),
  });
  const report = buildReport(outcomes, { startedAt, finishedAt: performance.timeOrigin + performance.now() });

  io.stdout.write(formatTable(report));
  const pass = report.agreement !== null && report.agreement >= options.minAgreement;
  io.stdout.write(report.agreement === null
    ? 'no case was compared: agreement unknown: fail\n'
    : `agreement ${report.agreement.toFixed(4)} ${pass ? '>=' : '<'} ${options.minAgreement} (--min-agreement): ${pass ? 'pass' : 'fail'}\n`);
  if (options.report) {
    const text = options.report.kind === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderHtml(report, { minAgreement: options.minAgreement });
    try {
      await writeFile(options.report.file, text);
    } catch (err) {
      io.stderr.write(`${options.report.file}: cannot write the report (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})\n`);
      return EXIT.usage;
    }
  }
  return pass ? EXIT.ok : EXIT.failure;
}

/** Suites that parse but give nothing to replay: exit 2 like a malformed one. */
class InputError extends Error {}
