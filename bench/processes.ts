// Child processes of the bench: spawned pinned to a core, tracked in one registry,
// and all killed by PID on exit, on SIGINT/SIGTERM, or when the time budget runs out.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';

export interface Managed {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly logPath: string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<string>;
  exitedWith: string | undefined;
}

const registry = new Set<Managed>();

/** Pinning needs taskset and at least two cores; without them we run unpinned and say so. */
export function pinningAvailable(): boolean {
  return availableParallelism() >= 2 && findOnPath('taskset') !== undefined;
}

export function findOnPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(`${dir}/${bin}`)) return `${dir}/${bin}`;
  }
  return undefined;
}

function pinned(core: number | undefined, cmd: string, args: string[]): [string, string[]] {
  return core !== undefined && pinningAvailable() ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args];
}

interface SpawnOptions {
  name: string;
  core: number | undefined;
  cmd: string;
  args: string[];
  cwd: string;
  logPath: string;
  /** Keep stdout as a pipe (to read the stub's announcement) instead of the log file. */
  pipeStdout?: boolean;
  env?: NodeJS.ProcessEnv;
}

export function spawnPinned(opts: SpawnOptions): Managed {
  const [cmd, args] = pinned(opts.core, opts.cmd, opts.args);
  const fd = openSync(opts.logPath, 'a');
  // taskset execs the command, so the PID we get is the server's own PID (for /proc reads).
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', opts.pipeStdout === true ? 'pipe' : fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${opts.name}: spawn failed (${cmd})`);
  let resolveExit!: (how: string) => void;
  const managed: Managed = {
    name: opts.name,
    pid: child.pid,
    child,
    logPath: opts.logPath,
    exited: new Promise<string>((resolve) => { resolveExit = resolve; }),
    exitedWith: undefined,
  };
  child.on('exit', (code, signal) => {
    managed.exitedWith = signal ?? String(code);
    registry.delete(managed);
    resolveExit(managed.exitedWith);
  });
  child.on('error', () => { /* reported through 'exit' */ });
  registry.add(managed);
  return managed;
}

/** Reads the one-line JSON announcement a stub prints once it listens. */
export async function waitForAnnouncement(m: Managed, timeoutMs = 15_000): Promise<{ port: number }> {
  const stdout = m.child.stdout;
  if (stdout === null) throw new Error(`${m.name}: stdout is not a pipe`);
  const lines = createInterface({ input: stdout });
  try {
    return await withTimeout(new Promise<{ port: number }>((resolve, reject) => {
      lines.once('line', (line) => {
        try { resolve(JSON.parse(line) as { port: number }); } catch (e) { reject(e as Error); }
      });
      void m.exited.then((how) => reject(new Error(`${m.name} exited (${how}) before listening: ${logTail(m.logPath)}`)));
    }), timeoutMs, `${m.name} did not announce its port`);
  } finally {
    lines.close();
    stdout.resume(); // keep draining so a chatty child never blocks on a full pipe
  }
}

export async function stop(m: Managed, graceMs = 3000): Promise<void> {
  if (m.exitedWith !== undefined) return;
  try { process.kill(m.pid, 'SIGTERM'); } catch { return; }
  const gone = await Promise.race([m.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!gone) {
    try { process.kill(m.pid, 'SIGKILL'); } catch { /* already gone */ }
    await Promise.race([m.exited, sleep(1000)]);
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...registry].map((m) => stop(m)));
}

/** Synchronous last resort (process 'exit' handler): SIGKILL whatever is left. */
export function killAllNow(): void {
  for (const m of registry) {
    try { process.kill(m.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

export interface MemoryStatus { rssKb: number; hwmKb: number }

/** VmRSS / VmHWM (peak RSS over the process's life) from /proc; undefined once it is gone. */
export function memoryStatus(pid: number): MemoryStatus | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used so far, in ms; undefined once it is gone. */
export function cpuMs(pid: number): number | undefined {
  try {
    // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout;
    ticks = Number(out) > 0 ? Number(out) : 100;
  }
  return ticks;
}

export function logTail(path: string, chars = 1500): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.length > chars ? `…${text.slice(-chars)}` : text;
  } catch {
    return '(no log)';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}
