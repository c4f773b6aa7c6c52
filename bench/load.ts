// The load generator: Debian `wrk` when installed, npm `autocannon` (as its own
// process) otherwise. Either way it runs pinned to the load core, outside the servers.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { findOnPath, pinningAvailable } from './processes.js';

export type LoadGeneratorName = 'wrk' | 'autocannon';

export interface LoadRequest {
  url: string;
  method: 'GET' | 'POST';
  connections: number;
  durationS: number;
  /** Files made once by `prepareBodies`: the POST body and wrk's Lua script for it. */
  bodies: PreparedBodies;
}

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Socket errors + timeouts + non-2xx/3xx answers: must be 0 for a clean run. */
  errors: number;
  /** CPU the proxy under test used per request (µs), from /proc: set by the caller. */
  proxyCpuUs?: number;
}

export interface PreparedBodies { bodyFile: string; luaFile: string }

export function pickLoadGenerator(forced: string | undefined): LoadGeneratorName {
  if (forced === 'wrk' || forced === 'autocannon') return forced;
  return findOnPath('wrk') !== undefined ? 'wrk' : 'autocannon';
}

export function prepareBodies(dir: string, body: string): PreparedBodies {
  const bodyFile = join(dir, 'post-body.json');
  const luaFile = join(dir, 'post.lua');
  writeFileSync(bodyFile, body);
  if (body.includes(']==]')) throw new Error('POST body cannot be quoted in Lua');
  writeFileSync(luaFile, [
    'wrk.method = "POST"',
    'wrk.headers["Content-Type"] = "application/json"',
    `wrk.body = [==[${body}]==]`,
    '',
  ].join('\n'));
  return { bodyFile, luaFile };
}

export async function runLoad(gen: LoadGeneratorName, req: LoadRequest, core: number): Promise<LoadResult> {
  const [cmd, args] = gen === 'wrk' ? wrkCommand(req) : autocannonCommand(req);
  const out = await runPinned(cmd, args, core, (req.durationS + 30) * 1000);
  return gen === 'wrk' ? parseWrk(out) : parseAutocannon(out);
}

function wrkCommand(req: LoadRequest): [string, string[]] {
  // --timeout well above any latency we expect: wrk's default (2 s) would turn slow
  // answers into "timeouts" that are missing from the latency percentiles.
  const args = ['-t1', '-c', String(req.connections), '-d', `${req.durationS}s`, '--latency', '--timeout', '30s'];
  if (req.method === 'POST') args.push('-s', req.bodies.luaFile);
  return ['wrk', [...args, req.url]];
}

function autocannonCommand(req: LoadRequest): [string, string[]] {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('autocannon/package.json');
  const bin = join(dirname(pkgPath), 'autocannon.js');
  const args = [bin, '-j', '-n', '-c', String(req.connections), '-d', String(req.durationS), '-t', '30', '-m', req.method];
  if (req.method === 'POST') args.push('-H', 'content-type=application/json', '-i', req.bodies.bodyFile);
  return [process.execPath, [...args, req.url]];
}

function runPinned(cmd: string, args: string[], core: number, timeoutMs: number): Promise<string> {
  const [c, a] = pinningAvailable() ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid !== undefined) activeLoad.add(pid);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const timer = setTimeout(() => { if (pid !== undefined) process.kill(pid, 'SIGKILL'); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (pid !== undefined) activeLoad.delete(pid);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} exited ${signal ?? code}: ${err.slice(-500)}${out.slice(-500)}`));
    });
  });
}

/** PIDs of load-generator runs in flight (killed on SIGINT with the servers). */
export const activeLoad = new Set<number>();

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `wrk --latency` output: Requests/sec, the 50%/99% lines, errors. */
export function parseWrk(text: string): LoadResult {
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  const pct = (p: number): number => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm').exec(text);
    if (m?.[1] === undefined || m[2] === undefined) throw new Error(`wrk output has no ${p}% line:\n${text}`);
    return Number(m[1]) * (UNIT_MS[m[2]] ?? NaN);
  };
  const rps = num(/^Requests\/sec:\s+([\d.]+)/m);
  if (rps === undefined) throw new Error(`wrk output has no Requests/sec:\n${text}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((s, v) => s + Number(v), 0);
  const non2xx = num(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0;
  return { rps, p50Ms: pct(50), p99Ms: pct(99), requests: num(/^\s*(\d+) requests in/m) ?? 0, errors: socketErrors + non2xx };
}

/** Parses `autocannon -j` output (latencies already in ms). */
export function parseAutocannon(text: string): LoadResult {
  const r = JSON.parse(text) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    errors: number; timeouts: number; non2xx: number;
  };
  return { rps: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, requests: r.requests.total, errors: r.errors + r.timeouts + r.non2xx };
}
