// What the reader gets: a header saying how the numbers were made, the markdown
// tables (pasteable into the README) and bench/results/latest.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { LoadGeneratorName } from './load.js';
import type { Counters } from './metrics.js';
import type { RssCheck } from './measure.js';
import type { Options } from './plan.js';
import { pinningAvailable, type MemoryStatus } from './processes.js';
import { countersText, judge, markdown, mb, resultsTable, targetText, type Cell } from './report.js';
import { AGENT_CORE, LOAD_CORE, ROOT, SUT_CORE, type Bench } from './setup.js';

export const RESULTS = join(ROOT, 'bench', 'results', 'latest.json');

export interface Results {
  cells: Cell[];
  memory: Map<string, MemoryStatus | undefined>;
  refMemory: Map<string, MemoryStatus | undefined>;
  scenarioCounters: Map<string, Counters>;
  rss: RssCheck;
}

export function printHeader(opts: Options, gen: LoadGeneratorName, sgState: string, seconds: number): void {
  const pin = pinningAvailable()
    ? `taskset: load generator + agent stub on core ${LOAD_CORE}; legacy stub + proxy under test on core ${SUT_CORE}`
    : 'NOT pinned (taskset missing or < 2 cores): numbers are noisier';
  const lines = [
    '# shadowgate benchmark',
    '',
    `- machine: ${cpuModel()}, ${availableParallelism()} cores, Node ${process.version}`,
    `- load generator: ${loadGeneratorVersion(gen)}, ${opts.durationS} s per run after a ${opts.warmupS} s warm-up per target and method`,
    `- pinning: ${pin}. The agent stub shares the load generator's core because it stands in for a remote service: on the proxy's core its CPU would be charged to shadowgate.`,
    `- runs: interleaved, one bare run before every ${opts.bareEvery} shadowgate run(s) and one run of each mirror reference per round (references do not depend on the scenario, so their runs are shared by the scenarios of a cell); ${opts.repeats} round(s); medians reported`,
    `- shadowgate: ${sgState}`,
    `- planned load time: ~${Math.round(seconds)} s${opts.quick ? ' (BENCH_QUICK=1)' : ''}; load average before start ${loadavg().map((l) => l.toFixed(2)).join(' ')} (anything else running on the machine shows up as noise)`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function printReport(b: Bench, r: Results): void {
  const out: string[] = ['', `## Results (medians of ${b.opts.repeats}, ${b.gen}; latency in ms)`, '', resultsTable(r.cells), ''];
  out.push('Targets (ratios to bare http-proxy in the same run): (o) req/s ≥ 1.30× and p99 ≤ 1.0×; (a) ≥ 0.90× and ≤ 1.2×, and ahead of both mirrors; (b), (c) ≥ 0.85× and ≤ 1.3×; (d) reported only; every cell 0 failed requests. '
    + 'References: bare http-proxy; "naive": http-proxy + a fire-and-forget undici copy to the fast agent (no comparison, no metrics, no bounds); "lean": undici pass-through + undici copy + byte/JSON comparison (no bounds, no metrics). '
    + '"proxy CPU" is user+system CPU of the proxy process per request (/proc). "shadows compared / dropped" are shadowgate counter deltas during the measured runs.', '');
  out.push('## shadowgate memory and shadow activity per scenario', '');
  out.push(markdown(['scenario', 'peak RSS (VmHWM) MB', 'RSS at end MB', 'counters over the whole bench'], b.states.map((s) => {
    const m = r.memory.get(s.scenario.id);
    const counters = r.scenarioCounters.get(s.scenario.id) ?? new Map<string, number>();
    return [`(${s.scenario.id}) ${s.scenario.title}`, s.sg ? mb(m?.hwmKb) : s.status ?? '–', s.sg ? mb(m?.rssKb) : '–', s.sg ? countersText(counters) : '–'];
  })));
  out.push('', `References' peak RSS (VmHWM): ${[...r.refMemory].map(([id, m]) => `${id} ${mb(m?.hwmKb)} MB`).join(', ')}.`, '', '## RSS check (agent hung)', '');
  const rss = r.rss;
  if (rss.status !== undefined) out.push(`${rss.seconds} s at ${rss.connections} conns: ${rss.status}`);
  else {
    const which = rss.fresh === true ? 'fresh shadowgate process' : 'same process as scenario (c), after all its runs';
    out.push(`${rss.seconds} s at ${rss.connections} connections, 2 KiB JSON POST, agent hung, ${which}: RSS start ${mb(rss.startKb)} MB, `
      + `peak ${mb(rss.peakKb)} MB, end ${mb(rss.endKb)} MB (limit ${rss.limitMb} MB at the end): **${rss.pass === true ? 'pass' : 'MISS'}**.`);
    if (rss.load) out.push(`Load during the check: ${Math.round(rss.load.rps)} req/s, p99 ${rss.load.p99Ms.toFixed(2)} ms, errors ${rss.load.errors}.`);
    if (rss.counters) out.push(`Counters during the check: ${countersText(rss.counters)}.`);
  }
  const misses = r.cells.filter((c) => judge(c).verdict === 'MISS').length;
  out.push('', `Summary: ${misses === 0 ? 'no target missed' : `${misses} cell(s) missed their target`}. JSON: ${RESULTS.replace(`${ROOT}/`, '')}`, '');
  process.stdout.write(out.join('\n'));
}

export function writeJson(b: Bench, r: Results): void {
  const obj = (c: Counters | undefined): Record<string, number> => Object.fromEntries(c ?? []);
  const data = {
    finishedAt: new Date().toISOString(),
    machine: { cpu: cpuModel(), cores: availableParallelism(), node: process.version, loadavgAtEnd: loadavg() },
    loadGenerator: loadGeneratorVersion(b.gen),
    pinning: pinningAvailable() ? { loadGenerator: LOAD_CORE, agentStub: AGENT_CORE, legacyStub: SUT_CORE, proxyUnderTest: SUT_CORE } : null,
    options: { ...b.opts, scenarios: b.opts.scenarios.map((s) => s.id) },
    shadowgate: b.entry.ok ? { entry: b.entry.path, builtAt: b.entry.builtAt.toISOString() } : { status: b.entry.why },
    scenarios: b.states.map((s) => ({ ...s.scenario, target: s.scenario.target ?? null, targetText: targetText(s.scenario), status: s.status ?? 'ok' })),
    cells: r.cells.map((c) => ({
      scenario: c.scenario.id, connections: c.connections, method: c.method, ...judge(c),
      sgStatus: c.sgStatus ?? null, refRuns: c.refs, sgRuns: c.sg, counters: obj(c.counters),
    })),
    memory: { shadowgate: Object.fromEntries(r.memory), references: Object.fromEntries(r.refMemory) },
    scenarioCounters: Object.fromEntries([...r.scenarioCounters].map(([k, v]) => [k, obj(v)])),
    rssCheck: { ...r.rss, counters: obj(r.rss.counters) },
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(data, null, 2)}\n`);
}

function loadGeneratorVersion(gen: LoadGeneratorName): string {
  if (gen === 'autocannon') {
    const pkg = JSON.parse(safeRead(join(ROOT, 'node_modules/autocannon/package.json')) || '{}') as { version?: string };
    return `autocannon ${pkg.version ?? ''} (npm, separate process)`;
  }
  const v = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return `${(/wrk (\S+)/.exec(`${v.stdout}${v.stderr}`)?.[0] ?? 'wrk').replace('wrk', 'wrk (Debian)')}, -t1`;
}

function cpuModel(): string {
  return /model name\s*:\s*(.+)/.exec(safeRead('/proc/cpuinfo'))?.[1] ?? 'unknown CPU';
}

function safeRead(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}
