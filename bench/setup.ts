// Starting what the bench measures: the stubs, the bare proxy and one shadowgate per
// scenario, all on the cores the layout below assigns, each probed before use.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileServers } from './compile.js';
import type { PreparedBodies, LoadGeneratorName } from './load.js';
import { scrape, type Counters } from './metrics.js';
import { PATHS, REFERENCES, type AgentMode, type Method, type Options, type ReferenceId, type Scenario } from './plan.js';
import { spawnPinned, waitForAnnouncement, type Managed } from './processes.js';
import { postBody } from './servers/payloads.js';
import { startShadowgate, type EntryState, type RunningShadowgate } from './shadowgate.js';

// Core layout (2 cores). Core 1: the system under test — legacy stub + the proxy
// being measured (bare or shadowgate), so both proxies share a core with the same
// upstream. Core 0: the load generator and the agent stub. The agent stands in for
// a remote service: putting it on core 1 would charge its CPU to shadowgate (which
// a real deployment would not pay), and core 0 is the only other place; wrk needs
// a fraction of a core at these rates, so the agent's work rarely slows the client.
export const LOAD_CORE = 0;
export const SUT_CORE = 1;
export const AGENT_CORE = 0;

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface Reference { id: ReferenceId; title: string; url: string; proc: Managed }
export interface Stubs { legacyUrl: string; refs: Reference[]; agents: Map<AgentMode, string> }

export interface SgState {
  scenario: Scenario;
  sg: RunningShadowgate | undefined;
  /** Why this scenario has no shadowgate to measure (not built, failed, crashed…). */
  status: string | undefined;
  startCounters: Counters | undefined;
}

/** Everything a measuring step needs, built once by run.ts. */
export interface Bench {
  opts: Options;
  gen: LoadGeneratorName;
  dir: string;
  entry: EntryState;
  bodies: PreparedBodies;
  stubs: Stubs;
  states: SgState[];
}

export async function startStubs(dir: string, opts: Options, onCleanup: (f: () => void) => void): Promise<Stubs> {
  const compiled = compileServers(ROOT);
  onCleanup(compiled.remove);
  const stub = async (name: string, core: number, args: string[]): Promise<{ m: Managed; url: string }> => {
    const m = spawnPinned({ name, core, cmd: process.execPath, args, cwd: compiled.dir, logPath: join(dir, `${name}.log`), pipeStdout: true });
    const { port } = await waitForAnnouncement(m);
    return { m, url: `http://127.0.0.1:${port}` };
  };
  const legacy = await stub('legacy-stub', SUT_CORE, ['legacy-stub.js']);
  const agents = new Map<AgentMode, string>();
  const modes = new Set<AgentMode>([...opts.scenarios.map((s) => s.agent), 'hung', 'fast']);
  for (const mode of modes) agents.set(mode, (await stub(`agent-${mode}`, AGENT_CORE, ['agent-stub.js', mode])).url);
  // The references run on the proxy's core, in front of the same legacy (the mirrors with the fast agent).
  const files: Record<ReferenceId, string[]> = {
    bare: ['bare-proxy.js', legacy.url],
    naive: ['naive-mirror.js', legacy.url, agents.get('fast')!],
    lean: ['lean-mirror.js', legacy.url, agents.get('fast')!],
  };
  const refs: Reference[] = [];
  for (const r of REFERENCES) {
    const started = await stub(`${r.id}-ref`, SUT_CORE, files[r.id]);
    refs.push({ ...r, url: started.url, proc: started.m });
  }
  return { legacyUrl: legacy.url, refs, agents };
}

export async function startScenario(b: Omit<Bench, 'states'>, scenario: Scenario): Promise<SgState> {
  if (!b.entry.ok) return { scenario, sg: undefined, status: 'not built', startCounters: undefined };
  try {
    const sg = await startShadowgate({
      entry: b.entry.path, cwd: ROOT, dir: b.dir, scenario, core: SUT_CORE, nodeArgs: b.opts.shadowgateNodeArgs,
      legacyUrl: b.stubs.legacyUrl, agentUrl: b.stubs.agents.get(scenario.agent)!,
    });
    return { scenario, sg, status: undefined, startCounters: await scrape(sg.adminUrl) };
  } catch (e) {
    process.stderr.write(`\n${(e as Error).message}\n`);
    return { scenario, sg: undefined, status: 'failed to start', startCounters: undefined };
  }
}

/** One GET and one POST through every proxy before measuring: a proxy that answers
 *  404/502 fast would otherwise look like a great result. */
export async function probeAll(b: Bench): Promise<void> {
  const targets: [string, string, SgState | undefined][] = b.stubs.refs.map((r) => [r.title, r.url, undefined]);
  for (const s of b.states) if (s.sg) targets.push([`shadowgate (${s.scenario.id})`, s.sg.dataUrl, s]);
  for (const [name, url, state] of targets) {
    for (const method of ['GET', 'POST'] as const) {
      const problem = await probe(url, method);
      if (problem === undefined) continue;
      if (state === undefined) throw new Error(`${name} probe failed: ${problem}`);
      process.stderr.write(`${name}: probe ${method} failed (${problem}); skipping this scenario\n`);
      state.status = `probe failed: ${problem}`.slice(0, 40);
    }
  }
}

async function probe(base: string, method: Method): Promise<string | undefined> {
  try {
    const res = await fetch(`${base}${PATHS[method]}`, {
      method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? postBody() : undefined, signal: AbortSignal.timeout(5000),
    });
    const text = await res.text();
    if (res.status !== 200) return `HTTP ${res.status}`;
    const body = JSON.parse(text) as { price?: unknown };
    return body.price === undefined ? 'unexpected body' : undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
