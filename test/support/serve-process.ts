// `shadowgate serve` as a real child process (signals, exit codes, log lines), from a config
// file the test writes. Resolves once the "shadowgate started" line names both URLs.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eventually } from './shadowgate.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  dataUrl: string;
  adminUrl: string;
  /** Parsed JSON log lines so far. */
  logs(): Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export async function startServe(configFile: string, env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', configFile], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  let gone = false;
  void exited.then(() => { gone = true; });
  const logs = () => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  let started: Record<string, unknown> | undefined;
  await eventually(() => {
    if (gone) throw new Error(`serve exited before starting:\n${out}\n${err}`);
    started = logs().find((l) => l.msg === 'shadowgate started');
    return started !== undefined;
  }, 'the "shadowgate started" log line', 20_000);
  return {
    child, dataUrl: String(started!.dataUrl), adminUrl: String(started!.adminUrl), logs, exited,
    async stop() {
      if (!gone) child.kill('SIGKILL');
      await exited;
    },
  };
}
