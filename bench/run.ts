// Benchmark harness: bare http-proxy vs shadowgate in front of the same legacy stub,
// interleaved, pinned to cores, medians of R runs, plus an RSS check with a hung agent.
// Usage: npm run build && npm run bench   (env knobs: bench/README.md)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeLoad, pickLoadGenerator, prepareBodies } from './load.js';
import { finalCounters, measure, rssCheck, warmUp } from './measure.js';
import { printHeader, printReport, writeJson } from './output.js';
import { plannedSeconds, readOptions } from './plan.js';
import { killAllNow, memoryStatus, stopAll } from './processes.js';
import { postBody } from './servers/payloads.js';
import { probeAll, ROOT, startScenario, startStubs, type Bench } from './setup.js';
import { checkEntry } from './shadowgate.js';

async function main(): Promise<void> {
  const opts = readOptions();
  const gen = pickLoadGenerator(opts.loadGenerator);
  const dir = mkdtempSync(join(tmpdir(), 'shadowgate-bench-'));
  installCleanup(dir);
  const entry = checkEntry(ROOT, opts.shadowgateEntry);
  const seconds = plannedSeconds(opts, entry.ok);
  armWatchdog(seconds * 1.5 + 180);
  printHeader(opts, gen, entry.ok ? `${entry.path} (built ${entry.builtAt.toISOString()})` : entry.why, seconds);

  const partial = { opts, gen, dir, entry, bodies: prepareBodies(dir, postBody()), stubs: await startStubs(dir, opts, (f) => onCleanup.push(f)) };
  const b: Bench = { ...partial, states: [] };
  for (const scenario of opts.scenarios) b.states.push(await startScenario(partial, scenario));
  await probeAll(b);

  await warmUp(b);
  const cells = await measure(b);
  const memory = new Map(b.states.map((s) => [s.scenario.id, s.sg ? memoryStatus(s.sg.proc.pid) : undefined]));
  const refMemory = new Map(b.stubs.refs.map((r) => [r.id, memoryStatus(r.proc.pid)]));
  const scenarioCounters = await finalCounters(b);
  const rss = await rssCheck(b);

  const results = { cells, memory, refMemory, scenarioCounters, rss };
  printReport(b, results);
  writeJson(b, results);
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}

/** Synchronous removals run on any exit (compiled servers). */
const onCleanup: (() => void)[] = [];

function installCleanup(dir: string): void {
  const killLoad = (): void => { for (const pid of activeLoad) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } } };
  process.on('exit', () => {
    killLoad();
    killAllNow();
    for (const f of onCleanup) f();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping every process the bench started…\n`);
      killLoad();
      void stopAll().finally(() => { rmSync(dir, { recursive: true, force: true }); process.exit(130); });
    });
  }
}

/** Hard upper bound on the whole run: whatever hangs, everything is killed (exit handler). */
function armWatchdog(seconds: number): void {
  setTimeout(() => {
    process.stderr.write(`\nbench exceeded its ${Math.round(seconds)} s budget; killing everything\n`);
    process.exit(1);
  }, seconds * 1000).unref();
}

main().catch(async (e: unknown) => {
  process.stderr.write(`\nbench failed: ${(e as Error).stack ?? String(e)}\n`);
  await stopAll();
  process.exit(1);
});
