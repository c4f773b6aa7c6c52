// A real Unleash server backed by a throwaway PostgreSQL cluster, for integration tests.
// Everything lives in one `mktemp -d` folder, listens on 127.0.0.1 on ports picked at run
// time, and is stopped by PID. Installed by scripts/install-test-deps.sh; never skipped.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const SERVER_JS = join(REPO_ROOT, 'tools/unleash-server/node_modules/unleash-server/dist/server.js');
const INSTALL_HINT = 'run `sudo bash scripts/install-test-deps.sh` (or as root in CI)';
const PROJECT = 'default';
const ENVIRONMENT = 'development';

export interface UnleashAdmin {
  createFlag(name: string): Promise<void>;
  /** Adds a flexibleRollout strategy with userId stickiness; returns the strategy id. */
  addFlexibleRollout(name: string, rollout: number, groupId?: string): Promise<string>;
  setRollout(name: string, strategyId: string, rollout: number): Promise<void>;
  enable(name: string): Promise<void>;
  disable(name: string): Promise<void>;
  /** Adds any strategy (constraints, segments, custom names); returns the strategy id. Rejections throw with the server's answer. */
  addStrategy(name: string, strategy: { name: string; parameters?: Record<string, string>; constraints?: unknown[]; segments?: number[] }): Promise<string>;
  /** Defines a custom strategy type (unleash-client does not know it: it evaluates to off). */
  createStrategyType(name: string): Promise<void>;
  /** Defines a context field, so constraints on it can be created in the UI (the API accepts them anyway). */
  createContextField(name: string): Promise<void>;
  /** Any admin call; resolves to { status, body } instead of throwing. */
  raw(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
}

export interface RunningUnleash {
  /** Base URL for unleash-client, ending in `/api/`. */
  url: string;
  adminToken: string;
  backendToken: string;
  admin: UnleashAdmin;
  /** Stops only the Unleash server (PostgreSQL keeps running): simulates "Unleash down". */
  stopUnleash(): Promise<void>;
  /** Stops everything, waits for the processes to exit and removes the temp folder. */
  stop(): Promise<void>;
}

export async function startUnleash(): Promise<RunningUnleash> {
  const pgBin = findPgBin();
  if (!existsSync(SERVER_JS)) {
    throw new Error(`unleash-server is not installed at ${SERVER_JS}: ${INSTALL_HINT}`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'shadowgate-unleash-'));
  let pg: Postgres | undefined;
  let server: UnleashProcess | undefined;
  try {
    pg = await startPostgres(pgBin, dir);
    const secret = randomBytes(16).toString('hex');
    const adminToken = `*:*.${randomBytes(16).toString('hex')}`;
    const backendToken = `${PROJECT}:${ENVIRONMENT}.${secret}`;
    server = await startUnleashProcess(dir, pg, adminToken, backendToken);
    const started = server;
    const db = pg;
    const apiUrl = `http://127.0.0.1:${started.port}/api/`;
    let stopped = false;
    return {
      url: apiUrl,
      adminToken,
      backendToken,
      admin: adminClient(apiUrl, adminToken),
      stopUnleash: () => started.stop(),
      async stop() {
        if (stopped) return;
        stopped = true;
        await started.stop();
        await db.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server?.stop().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

// ---------------------------------------------------------------- PostgreSQL

interface Postgres {
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

function findPgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin/initdb')) && existsSync(join(root, v, 'bin/pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined || Number(newest) < 14) {
    throw new Error(`PostgreSQL >= 14 binaries not found under ${root}/*/bin: ${INSTALL_HINT}`);
  }
  return join(root, newest, 'bin');
}

/** initdb refuses to run as root: run the cluster as `postgres` then (the Debian package creates it). */
function asDbOwner(cmd: string, args: string[]): [string, string[]] {
  return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

async function runPg(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const [file, argv] = asDbOwner(cmd, args);
  try {
    await run(file, argv, { env: { ...process.env, ...env }, timeout: 60_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

async function startPostgres(bin: string, dir: string): Promise<Postgres> {
  const user = 'unleash';
  const password = randomBytes(12).toString('hex');
  const data = join(dir, 'pgdata');
  const pwfile = join(dir, 'pgpass');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (userInfo().uid === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
      throw new Error(`no 'postgres' system user: ${INSTALL_HINT}`);
    });
    const uid = Number(stdout.trim());
    const { stdout: gidOut } = await run('id', ['-g', 'postgres']);
    await chown(dir, uid, Number(gidOut.trim()));
    await chown(pwfile, uid, Number(gidOut.trim()));
  }
  await runPg(join(bin, 'initdb'), [
    '-D', data, '-U', user, `--pwfile=${pwfile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-sync', '--no-instructions',
  ]);
  const port = await withFreePort('PostgreSQL', async (candidate) => {
    const opts = `-p ${candidate} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off -c full_page_writes=off`;
    const logFile = join(dir, 'postgres.log');
    try {
      await runPg(join(bin, 'pg_ctl'), ['-D', data, '-l', logFile, '-o', opts, '-w', '-t', '60', 'start']);
    } catch (err) {
      // pg_ctl only says "examine the log": the reason (e.g. the port is taken) is in the log.
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`${(err as Error).message}\n--- postgres.log (tail) ---\n${log.slice(-2000)}`);
    }
  });
  const pid = Number((await readFile(join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const forget = killOnExit(pid, 'SIGQUIT');
  const pgEnv = { PGPASSWORD: password };
  await runPg(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, 'unleash'], pgEnv);
  let stopped = false;
  return {
    port,
    user,
    password,
    async stop() {
      if (stopped) return;
      stopped = true;
      await runPg(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      // pg_ctl returns before the postmaster is gone.
      await waitForExit(pid, 20_000);
      forget();
    },
  };
}

// ---------------------------------------------------------------- Unleash

interface UnleashProcess {
  port: number;
  stop(): Promise<void>;
}

async function startUnleashProcess(dir: string, pg: Postgres, adminToken: string, backendToken: string): Promise<UnleashProcess> {
  let child: ChildProcess | undefined;
  const port = await withFreePort('Unleash', async (candidate) => {
    const log = createWriteStream(join(dir, `unleash-${candidate}.log`));
    const proc = spawn(process.execPath, [SERVER_JS], {
      cwd: join(REPO_ROOT, 'tools/unleash-server'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        NODE_ENV: 'production',
        DATABASE_URL: `postgres://${pg.user}:${pg.password}@127.0.0.1:${pg.port}/unleash`,
        DATABASE_SSL: 'false',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(candidate),
        CHECK_VERSION: 'false',
        SEND_TELEMETRY: 'false',
        LOG_LEVEL: 'warn',
        INIT_ADMIN_API_TOKENS: adminToken,
        INIT_BACKEND_API_TOKENS: backendToken,
      },
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      log.write(chunk);
      output = (output + chunk.toString()).slice(-4000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.on('exit', () => log.end());
    try {
      await waitForHealth(`http://127.0.0.1:${candidate}/health`, proc, 90_000);
    } catch (err) {
      await killAndWait(proc);
      const addrInUse = /EADDRINUSE/.test(output);
      throw Object.assign(new Error(`${(err as Error).message}\n--- unleash output (tail) ---\n${output}`), { addrInUse });
    }
    child = proc;
  });
  const proc = child!;
  const forget = killOnExit(proc.pid, 'SIGKILL');
  return {
    port,
    async stop() {
      await killAndWait(proc);
      forget();
    },
  };
}

async function waitForHealth(url: string, proc: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`unleash-server exited early (code ${proc.exitCode}, signal ${proc.signalCode})`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`unleash-server did not become healthy at ${url} within ${timeoutMs} ms`);
}

function adminClient(apiUrl: string, token: string): UnleashAdmin {
  const feature = (name: string): string =>
    `${apiUrl}admin/projects/${PROJECT}/features/${encodeURIComponent(name)}`;
  async function call(method: string, url: string, body?: unknown): Promise<unknown> {
    const res = await fetch(url, {
      method,
      headers: { Authorization: token, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} -> HTTP ${res.status}: ${text.slice(0, 500)}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }
  return {
    async createFlag(name) {
      await call('POST', `${apiUrl}admin/projects/${PROJECT}/features`, { name, type: 'release' });
    },
    async addFlexibleRollout(name, rollout, groupId = name) {
      const created = (await call('POST', `${feature(name)}/environments/${ENVIRONMENT}/strategies`, {
        name: 'flexibleRollout',
        constraints: [],
        parameters: { rollout: String(rollout), stickiness: 'userId', groupId },
      })) as { id?: unknown };
      if (typeof created?.id !== 'string') throw new Error(`Unleash returned no strategy id for ${name}`);
      return created.id;
    },
    async setRollout(name, strategyId, rollout) {
      await call('PATCH', `${feature(name)}/environments/${ENVIRONMENT}/strategies/${strategyId}`, [
        { op: 'replace', path: '/parameters/rollout', value: String(rollout) },
      ]);
    },
    async addStrategy(name, strategy) {
      const created = (await call('POST', `${feature(name)}/environments/${ENVIRONMENT}/strategies`, { constraints: [], parameters: {}, ...strategy })) as { id?: unknown };
      if (typeof created?.id !== 'string') throw new Error(`Unleash returned no strategy id for ${name}`);
      return created.id;
    },
    async createStrategyType(name) {
      await call('POST', `${apiUrl}admin/strategies`, { name, description: 'custom strategy for tests', parameters: [] });
    },
    async createContextField(name) {
      await call('POST', `${apiUrl}admin/context`, { name, description: 'context field for tests', legalValues: [], stickiness: true });
    },
    async raw(method, path, body) {
      const res = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { Authorization: token, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: res.status, body: await res.text() };
    },
    async enable(name) {
      await call('POST', `${feature(name)}/environments/${ENVIRONMENT}/on`);
    },
    async disable(name) {
      await call('POST', `${feature(name)}/environments/${ENVIRONMENT}/off`);
    },
  };
}

// ---------------------------------------------------------------- processes and ports

/** Picks a free port and hands it to `start`; retries with another port when it was taken meanwhile. */
async function withFreePort(what: string, start: (port: number) => Promise<void>): Promise<number> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    try {
      await start(port);
      return port;
    } catch (err) {
      lastError = err;
      const msg = String((err as Error).message);
      const conflict = (err as { addrInUse?: boolean }).addrInUse === true || /address already in use|could not bind|EADDRINUSE/i.test(msg);
      if (!conflict) throw err;
    }
  }
  throw new Error(`${what}: no free port after 5 attempts: ${(lastError as Error)?.message}`);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function killAndWait(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 0) return;
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await sleep(200);
      return;
    }
    await sleep(50);
  }
}

/**
 * Last resort when a test process exits without its after() hooks (crash, process.exit):
 * signal the PID synchronously so no server outlives the run. SIGQUIT = postgres immediate stop.
 */
function killOnExit(pid: number | undefined, signal: NodeJS.Signals): () => void {
  if (pid === undefined) return () => undefined;
  const onExit = (): void => {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  return () => process.off('exit', onExit);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
