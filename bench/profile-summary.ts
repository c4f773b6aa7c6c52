// Where the microseconds go: a V8 CPU profile (`node --cpu-prof`) of shadowgate under load,
// its self time grouped by module (proxy, shadow, compare, flags, metrics, undici, node's
// HTTP and streams, GC, …). Usage: node --import tsx bench/profile-summary.ts DIR|FILE.cpuprofile…
// (run `BENCH_SG_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench` first).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** The group a function's self time belongs to, from its script URL (or V8's pseudo-functions). */
export function groupOf(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'V8 / native (program)';
  const m = /\/(?:dist|src)\/(proxy|shadow|compare|flags|metrics|serve|routing|store|tracing|admin|lifecycle|evaluation|suites)\//.exec(url);
  if (m) return m[1] === 'serve' || m[1] === 'routing' ? 'route decisions (serve, routing)' : m[1]!;
  if (url.includes('/node_modules/undici/')) return 'undici';
  if (url.includes('/node_modules/prom-client/')) return 'metrics';
  if (url.includes('/node_modules/unleash-client/')) return 'flags';
  if (url.includes('/node_modules/')) return `other packages (${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? '?'})`;
  if (/node:(internal\/)?(_http|http)/.test(url) || url.includes('_http_')) return "node http";
  if (/node:(internal\/)?(streams|stream)/.test(url)) return 'node streams';
  if (/node:(internal\/)?(net|stream_base_commons|dns|tcp)/.test(url)) return 'node net';
  if (/node:(internal\/)?(timers|process\/task_queues|async_hooks)/.test(url) || url === '') return 'node event loop, timers, native';
  return 'node other';
}

export function summarize(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const groups = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const g = groupOf(node.callFrame.url, node.callFrame.functionName);
    groups.set(g, (groups.get(g) ?? 0) + us);
  }
  return groups;
}

function files(args: string[]): string[] {
  return args.flatMap((a) => (statSync(a).isDirectory() ? readdirSync(a).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(a, f)) : [a]));
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  for (const file of files(process.argv.slice(2))) {
    const groups = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile);
    const busy = [...groups].filter(([g]) => g !== 'idle').reduce((s, [, v]) => s + v, 0);
    process.stdout.write(`\n${file}: ${(busy / 1e6).toFixed(1)} s busy\n| module | share of busy CPU |\n|---|---|\n`);
    for (const [g, us] of [...groups].filter(([g]) => g !== 'idle').sort((a, b) => b[1] - a[1])) {
      process.stdout.write(`| ${g} | ${((100 * us) / busy).toFixed(1)} % |\n`);
    }
  }
}
