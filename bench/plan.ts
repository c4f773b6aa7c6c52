// What the bench measures and in which order: scenarios, their targets, the options
// read from the environment, and the interleaving of bare and shadowgate runs.

export type AgentMode = 'fast' | 'slow' | 'hung';
export type Method = 'GET' | 'POST';

/** Request paths (both inside the `bench` route's `/api/*`). */
export const PATHS: Readonly<Record<Method, string>> = { GET: '/api/items/42', POST: '/api/orders' };

export interface Target { minRpsRatio: number; maxP99Ratio: number }

export interface Scenario {
  id: 'o' | 'a' | 'b' | 'c' | 'd';
  title: string;
  agent: AgentMode;
  /** Serve flag on at 100 % (agent answers the client, `fallback: parallel`). */
  serve: boolean;
  /** Shadow flag on (off: the route still matches and its flags are evaluated, nothing is mirrored). */
  shadow: boolean;
  /** Undefined: reported, not judged. */
  target: Target | undefined;
}

export const SCENARIOS: readonly Scenario[] = [
  { id: 'o', title: 'shadowing off (route, flags, metrics)', agent: 'fast', serve: false, shadow: false, target: { minRpsRatio: 1.3, maxP99Ratio: 1.0 } },
  { id: 'a', title: 'shadow 100% + compare, fast agent', agent: 'fast', serve: false, shadow: true, target: { minRpsRatio: 0.9, maxP99Ratio: 1.2 } },
  { id: 'b', title: 'shadow 100%, agent 1 s slow', agent: 'slow', serve: false, shadow: true, target: { minRpsRatio: 0.85, maxP99Ratio: 1.3 } },
  { id: 'c', title: 'shadow 100%, agent hung', agent: 'hung', serve: false, shadow: true, target: { minRpsRatio: 0.85, maxP99Ratio: 1.3 } },
  { id: 'd', title: 'agent serves 100%, fallback parallel', agent: 'fast', serve: true, shadow: true, target: undefined },
];

/** What every run is compared with, measured in the same rounds: bare http-proxy, and two mirrors with no safety at all. */
export type ReferenceId = 'bare' | 'naive' | 'lean';
export const REFERENCES: readonly { id: ReferenceId; title: string }[] = [
  { id: 'bare', title: 'bare http-proxy' },
  { id: 'naive', title: 'naive mirror (http-proxy + fire-and-forget undici copy)' },
  { id: 'lean', title: 'lean undici mirror (undici pass-through + copy + JSON compare)' },
];

export interface Options {
  quick: boolean;
  repeats: number;
  durationS: number;
  warmupS: number;
  connections: number[];
  methods: Method[];
  scenarios: Scenario[];
  /** One bare run before every N shadowgate runs (1 = strict bare, sg, bare, sg). */
  bareEvery: number;
  rssSeconds: number;
  rssConnections: number;
  rssLimitMb: number;
  loadGenerator: string | undefined;
  shadowgateEntry: string;
  shadowgateNodeArgs: string[];
}

/** Env is read here, once, never at import. */
export function readOptions(env: NodeJS.ProcessEnv = process.env): Options {
  const quick = env.BENCH_QUICK === '1';
  const int = (name: string, dflt: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`${name}=${raw}: expected a number ≥ ${min}`);
    return n;
  };
  const wanted = (env.BENCH_SCENARIOS ?? 'o,a,b,c,d').split(',').map((s) => s.trim());
  const scenarios = SCENARIOS.filter((s) => wanted.includes(s.id));
  if (scenarios.length === 0) throw new Error(`BENCH_SCENARIOS=${env.BENCH_SCENARIOS}: pick from o,a,b,c,d`);
  return {
    quick,
    repeats: int('BENCH_REPEATS', quick ? 1 : 3, 1),
    durationS: int('BENCH_DURATION', quick ? 3 : 5, 1),
    warmupS: int('BENCH_WARMUP', quick ? 1 : 2, 0),
    connections: quick ? [64] : [8, 64],
    methods: ['GET', 'POST'],
    scenarios,
    bareEvery: int('BENCH_BARE_EVERY', 2, 1),
    rssSeconds: int('BENCH_RSS_SECONDS', quick ? 10 : 30, 0),
    rssConnections: 64,
    rssLimitMb: 150,
    loadGenerator: env.BENCH_LOADGEN,
    shadowgateEntry: env.BENCH_SHADOWGATE ?? 'dist/main.js',
    shadowgateNodeArgs: (env.BENCH_SG_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
  };
}

export type RunTarget = { kind: 'ref'; ref: ReferenceId } | { kind: 'sg'; scenario: Scenario };

/**
 * One round for a (connections, method) cell: shadowgate runs for every scenario, with a
 * bare run before every `bareEvery` of them and one run of each mirror reference. The
 * references do not depend on the scenario, so their runs are shared by the scenarios
 * around them; the order rotates each round so no scenario always runs right after the
 * hung or slow one.
 */
export function roundOrder(scenarios: readonly Scenario[], round: number, bareEvery: number, mirrors: readonly ReferenceId[] = ['naive', 'lean']): RunTarget[] {
  const n = scenarios.length;
  const rotated = scenarios.map((_, i) => scenarios[(i + round) % n]!);
  const order = round % 2 === 0 ? [...mirrors] : [...mirrors].reverse();
  const out: RunTarget[] = [];
  rotated.forEach((scenario, i) => {
    if (i % bareEvery === 0) out.push({ kind: 'ref', ref: 'bare' });
    out.push({ kind: 'sg', scenario });
    const mirror = order[i];
    if (mirror !== undefined) out.push({ kind: 'ref', ref: mirror });
  });
  for (const mirror of order.slice(n)) out.push({ kind: 'ref', ref: mirror });
  return out;
}

/** Seconds of load the plan will generate (for the header and the time budget). */
export function plannedSeconds(o: Options, withShadowgate: boolean): number {
  const cells = o.connections.length * o.methods.length;
  const sgRuns = withShadowgate ? o.scenarios.length : 0;
  const bareRuns = withShadowgate ? Math.ceil(o.scenarios.length / o.bareEvery) + Math.min(2, o.scenarios.length) : 1;
  const warmups = o.methods.length * (1 + sgRuns) * o.warmupS;
  return cells * o.repeats * (sgRuns + bareRuns) * o.durationS + warmups + (withShadowgate ? o.rssSeconds : 0);
}
