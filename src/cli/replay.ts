// `shadowgate replay`: replays golden suites against a candidate agent. Exit 0 when overall
// agreement reaches --min-agreement, 1 below it, 2 on usage or input errors.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createComparator, DEFAULT_COMPARE_OPTIONS, type CompareFn } from '../compare/index.js';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { ShadowgateError } from '../errors.js';
import { replayCases } from '../replay/engine.js';
import { renderHtml } from '../replay/html.js';
import { Progress, type ProgressSink } from '../replay/progress.js';
import { buildReport, formatTable } from '../replay/report.js';
import { readSuites, type LoadedCase } from '../suites/read.js';

export const REPLAY_HELP = `usage: shadowgate replay SUITE.jsonl [SUITE2.jsonl ...] --agent URL [options]

Replays every case of the golden suites against a candidate agent (header x-shadowgate-replay: 1)
and compares its answers with the recorded ones using each route's comparator.

  --agent URL           the candidate agent (required)
  --config FILE         shadowgate config: each route's compare rules (default: built-in rules)
  --route NAME          replay only this route's cases (the others count as skipped)
  --concurrency N       calls in flight (default 4)
  --min-agreement X     exit 0 when match / (match + mismatch + agent_error) >= X (default 1.0)
  --timeout-ms N        per-call timeout (default agent.timeoutMs of --config, else 10000)
  --report FILE         write the report: FILE.json (JSON) or FILE.html (one self-contained page)

Cases with verdict legacy_correct or both_wrong are excluded; agent_correct cases are compared
with the agent answer judged correct; both_ok cases match either recorded answer.
Exit status: 0 agreement >= --min-agreement, 1 below it, 2 usage or input error.`;

export interface ReplayIo {
  stdout: ProgressSink;
  stderr: ProgressSink;
}

class UsageError extends Error {}

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

function parse(argv: string[]): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        agent: { type: 'string' }, config: { type: 'string' }, route: { type: 'string' }, concurrency: { type: 'string' },
        'min-agreement': { type: 'string' }, 'timeout-ms': { type: 'string' }, report: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('replay needs at least one SUITE.jsonl');
  if (!values.agent) throw new UsageError('replay needs --agent URL');
  try {
    const u = new URL(values.agent);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch { throw new UsageError(`--agent: expected an absolute http:// or https:// URL, got "${values.agent}"`); }
  const int = (name: string, raw: string | undefined, min: number, max: number) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const minAgreement = values['min-agreement'] === undefined ? 1 : Number(values['min-agreement']);
  if (!(minAgreement >= 0 && minAgreement <= 1)) throw new UsageError(`--min-agreement: expected a number from 0 to 1, got "${values['min-agreement']}"`);
  let report: Options['report'];
  if (values.report !== undefined) {
    const kind = /\.json$/i.test(values.report) ? 'json' : /\.html?$/i.test(values.report) ? 'html' : null;
    if (!kind) throw new UsageError(`--report: expected a file ending in .json or .html, got "${values.report}"`);
    report = { file: values.report, kind };
  }
  return {
    files: positionals, agent: values.agent, config: values.config, route: values.route,
    concurrency: int('concurrency', values.concurrency, 1, 256) ?? 4, minAgreement,
    timeoutMs: int('timeout-ms', values['timeout-ms'], 1, 3_600_000), report,
  };
}

/** One compiled comparator per configured route; built-in rules for the rest. */
async function comparators(config: Config | null, cases: readonly LoadedCase[], io: ReplayIo): Promise<(route: string) => CompareFn> {
  const byRoute = new Map<string, CompareFn>();
  for (const route of config?.routes ?? []) byRoute.set(route.name, await createComparator(structuredClone(route.compare)));
  const fallback = await createComparator(structuredClone(DEFAULT_COMPARE_OPTIONS));
  if (config) {
    const unknown = [...new Set(cases.map((c) => c.case.route))].filter((r) => !byRoute.has(r)).sort();
    for (const route of unknown) io.stderr.write(`replay: route "${route}" is not in the config; its cases use the built-in compare rules\n`);
  }
  return (route) => byRoute.get(route) ?? fallback;
}

export async function run(argv: string[], io: ReplayIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let options: Options | 'help';
  try {
    options = parse(argv);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${REPLAY_HELP}\n`);
    return 2;
  }
  if (options === 'help') { io.stdout.write(`${REPLAY_HELP}\n`); return 0; }

  let config: Config | null = null;
  let cases: LoadedCase[];
  let comparatorFor: (route: string) => CompareFn;
  try {
    if (options.config) config = loadConfigFile(options.config);
    cases = await readSuites(options.files);
    if (cases.length === 0) throw new UsageError(`no cases in ${options.files.join(', ')}`);
    if (options.route !== undefined && !cases.some((c) => c.case.route === options.route)) {
      throw new UsageError(`--route ${options.route}: no case of that route in the suites (routes: ${[...new Set(cases.map((c) => c.case.route))].sort().join(', ')})`);
    }
    comparatorFor = await comparators(config, cases, io);
  } catch (err) {
    io.stderr.write(`${err instanceof ShadowgateError || err instanceof UsageError ? err.message : `replay failed: ${String(err)}`}\n`);
    return 2;
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
      return 2;
    }
  }
  return pass ? 0 : 1;
}
