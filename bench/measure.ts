// The measuring itself: warm-up, the interleaved rounds per (connections, method)
// cell, the counters around each shadowgate run, and the RSS check with a hung agent.
import { runLoad, type LoadResult } from './load.js';
import { addCounters, diffCounters, scrape, type Counters } from './metrics.js';
import { PATHS, REFERENCES, roundOrder, SCENARIOS, type Method, type ReferenceId, type RunTarget } from './plan.js';
import { cpuMs, memoryStatus, sleep } from './processes.js';
import type { Cell } from './report.js';
import { LOAD_CORE, startScenario, type Bench, type SgState } from './setup.js';

const live = (b: Bench): SgState[] => b.states.filter((s) => s.sg !== undefined && s.status === undefined);

/** JIT, pools and heaps warmed on every target before anything is recorded: without
 *  it the first (bare) run of the first cell came out ~40 % low. */
export async function warmUp(b: Bench): Promise<void> {
  if (b.opts.warmupS === 0) return;
  const targets = [...b.stubs.refs.map((r) => r.url), ...live(b).map((s) => s.sg!.dataUrl)];
  process.stderr.write(`warm-up: ${targets.length} target(s) × ${b.opts.methods.join('+')} × ${b.opts.warmupS} s at 64 conns\n`);
  for (const url of targets) {
    for (const method of b.opts.methods) {
      await runLoad(b.gen, { url: `${url}${PATHS[method]}`, method, connections: 64, durationS: b.opts.warmupS, bodies: b.bodies }, LOAD_CORE).catch(() => undefined);
    }
  }
}

/** One measured run. Besides req/s and latency, the CPU the proxy spent per request:
 *  far less noisy than req/s on a shared machine, and it says where a gap comes from. */
async function measuredRun(b: Bench, url: string, pid: number, method: Method, connections: number): Promise<LoadResult> {
  const cpuBefore = cpuMs(pid);
  const r = await runLoad(b.gen, { url: `${url}${PATHS[method]}`, method, connections, durationS: b.opts.durationS, bodies: b.bodies }, LOAD_CORE);
  const cpuAfter = cpuMs(pid);
  if (cpuBefore !== undefined && cpuAfter !== undefined && r.requests > 0) r.proxyCpuUs = ((cpuAfter - cpuBefore) * 1000) / r.requests;
  return r;
}

interface Slot { sg: LoadResult[]; counters: Counters }

/** A shadowgate run, with the counter deltas around it; a crash marks the scenario. */
async function shadowgateRun(b: Bench, state: SgState, slot: Slot, method: Method, connections: number, tag: string): Promise<void> {
  const sg = state.sg;
  if (state.status !== undefined || sg === undefined) { progress(`${tag} skipped: ${state.status}`); return; }
  const before = await scrape(sg.adminUrl);
  try {
    const r = await measuredRun(b, sg.dataUrl, sg.proc.pid, method, connections);
    slot.sg.push(r);
    progress(tag, r);
  } catch (e) {
    progress(`${tag} load failed: ${(e as Error).message}`);
  }
  if (sg.proc.exitedWith !== undefined) {
    state.status = `crashed (exit ${sg.proc.exitedWith})`;
    process.stderr.write(`shadowgate (${state.scenario.id}) crashed; log: ${sg.proc.logPath}\n`);
    return;
  }
  const after = await scrape(sg.adminUrl);
  if (before && after) addCounters(slot.counters, diffCounters(after, before));
}

export async function measure(b: Bench): Promise<Cell[]> {
  const { opts } = b;
  const order = (round: number): RunTarget[] =>
    live(b).length === 0 ? REFERENCES.map((r) => ({ kind: 'ref' as const, ref: r.id })) : roundOrder(live(b).map((s) => s.scenario), round, opts.bareEvery);
  const total = opts.connections.length * opts.methods.length * opts.repeats * order(0).length;
  let done = 0;
  const cells: Cell[] = [];
  for (const connections of opts.connections) {
    for (const method of opts.methods) {
      const refs: Record<ReferenceId, LoadResult[]> = { bare: [], naive: [], lean: [] };
      const slots = new Map<string, Slot>(b.states.map((s) => [s.scenario.id, { sg: [], counters: new Map() }]));
      for (let round = 0; round < opts.repeats; round++) {
        for (const target of order(round)) {
          const tag = `[${++done}/${total}] c${connections} ${method} ${target.kind === 'ref' ? target.ref : `sg(${target.scenario.id})`}`;
          if (target.kind === 'sg') {
            const state = b.states.find((s) => s.scenario.id === target.scenario.id)!;
            await shadowgateRun(b, state, slots.get(state.scenario.id)!, method, connections, tag);
            continue;
          }
          const ref = b.stubs.refs.find((x) => x.id === target.ref)!;
          const r = await measuredRun(b, ref.url, ref.proc.pid, method, connections);
          refs[ref.id].push(r);
          progress(tag, r);
        }
      }
      for (const s of b.states) {
        const slot = slots.get(s.scenario.id)!;
        cells.push({ scenario: s.scenario, connections, method, bare: refs.bare, refs, sg: slot.sg, sgStatus: slot.sg.length === 0 ? s.status ?? 'no runs' : undefined, counters: slot.counters });
      }
    }
  }
  return cells;
}

/** Counters per scenario over the whole bench, read after a short settle so shadows
 *  still in flight at the end of the last run (slow agent) are counted. */
export async function finalCounters(b: Bench): Promise<Map<string, Counters>> {
  await sleep(1500);
  const out = new Map<string, Counters>();
  for (const s of b.states) {
    if (!s.sg || !s.startCounters) continue;
    const now = await scrape(s.sg.adminUrl);
    if (now) out.set(s.scenario.id, diffCounters(now, s.startCounters));
  }
  return out;
}

export interface RssCheck {
  seconds: number; connections: number; method: Method; limitMb: number;
  /** A fresh process (scenario c was not run) rather than the one that ran scenario (c). */
  fresh?: boolean;
  startKb?: number; peakKb?: number; endKb?: number; hwmKb?: number;
  pass?: boolean; load?: LoadResult; counters?: Counters; status?: string;
}

/** 64 connections of 2 KiB POSTs (bodies are what shadowing buffers) against the
 *  hung-agent shadowgate that already served the whole bench, so a leak shows too. */
export async function rssCheck(b: Bench): Promise<RssCheck> {
  const { opts } = b;
  const base: RssCheck = { seconds: opts.rssSeconds, connections: opts.rssConnections, method: 'POST', limitMb: opts.rssLimitMb };
  if (opts.rssSeconds === 0) return { ...base, status: 'skipped (BENCH_RSS_SECONDS=0)' };
  let state = b.states.find((s) => s.scenario.id === 'c');
  const fresh = state === undefined;
  state ??= await startScenario(b, SCENARIOS.find((s) => s.id === 'c')!);
  if (!state.sg || state.status !== undefined) return { ...base, status: state.status ?? 'not running' };
  const { pid } = state.sg.proc;
  process.stderr.write(`RSS check: ${opts.rssSeconds} s, ${opts.rssConnections} conns POST, agent hung…\n`);
  const start = memoryStatus(pid);
  let peak = start?.rssKb ?? 0;
  const sampler = setInterval(() => { peak = Math.max(peak, memoryStatus(pid)?.rssKb ?? 0); }, 250);
  const before = await scrape(state.sg.adminUrl);
  let load: LoadResult | undefined;
  try {
    load = await runLoad(b.gen, { url: `${state.sg.dataUrl}${PATHS.POST}`, method: 'POST', connections: opts.rssConnections, durationS: opts.rssSeconds, bodies: b.bodies }, LOAD_CORE);
  } finally {
    clearInterval(sampler);
  }
  const end = memoryStatus(pid);
  const after = await scrape(state.sg.adminUrl);
  if (end === undefined) return { ...base, fresh, status: 'shadowgate died during the RSS check', load };
  return {
    ...base, fresh, startKb: start?.rssKb, peakKb: Math.max(peak, end.rssKb), endKb: end.rssKb, hwmKb: end.hwmKb,
    pass: end.rssKb / 1024 <= opts.rssLimitMb, load, counters: before && after ? diffCounters(after, before) : undefined,
  };
}

export function progress(tag: string, r?: LoadResult): void {
  const cpu = r?.proxyCpuUs === undefined ? '' : `, proxy CPU ${Math.round(r.proxyCpuUs)} µs/req`;
  const text = r === undefined ? tag : `${tag}: ${Math.round(r.rps)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms${cpu}${r.errors > 0 ? `, ${r.errors} errors` : ''}`;
  process.stderr.write(`${text}\n`);
}
