// `shadowgate readiness`: asks a running shadowgate whether a route is ready for a serve level
// and prints the verdict with its reasons. Exit 0 ready, 1 not ready, 2 error. The admin token
// comes from SHADOWGATE_ADMIN_TOKEN and never appears in output.
import { request } from 'undici';
import type { ReadinessResponse } from '../evaluation/readiness.js';
import { PROMOTION_LEVELS, type PromotionLevelName } from '../evaluation/readiness.js';
import { EXIT, runCommand, type Command, type Io } from './command.js';

export const readinessCommand: Command = {
  name: 'readiness',
  summary: 'is a route ready for the next serve level? (exit 0 ready, 1 not ready, 2 error)',
  synopsis: '--admin URL --route NAME --level conditional|full [--timeout-ms N]',
  description: `Reads GET /api/routes/NAME/readiness from a running shadowgate's admin API and prints
whether the route is ready for the level, with the reasons and their numbers.`,
  options: {
    admin: { type: 'string', value: 'URL', description: "the admin API's base URL, e.g. http://shadowgate-admin:9090" },
    route: { type: 'string', value: 'NAME', description: 'the route' },
    level: { type: 'string', value: 'LEVEL', description: 'conditional or full' },
    'timeout-ms': { type: 'string', value: 'N', description: 'give up after this long (default 10000)' },
  },
  env: { SHADOWGATE_ADMIN_TOKEN: 'the admin token, sent as a Bearer token (never printed)' },
  exitStatus: ['0  ready', '1  not ready', '2  error: usage, unreachable, unauthorized, unknown route'],
  async run(call) {
    const v = call.values as Record<string, string | undefined>;
    if (!v.admin) return call.usage('readiness needs --admin URL');
    if (!v.route) return call.usage('readiness needs --route NAME');
    if (!PROMOTION_LEVELS.includes(v.level as PromotionLevelName)) return call.usage(`--level: expected ${PROMOTION_LEVELS.join(' or ')}, got "${v.level ?? ''}"`);
    const timeoutMs = v['timeout-ms'] === undefined ? 10_000 : Number(v['timeout-ms']);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) return call.usage(`--timeout-ms: expected a positive integer, got "${v['timeout-ms']}"`);
    let url: URL;
    try {
      url = new URL(`api/routes/${encodeURIComponent(v.route)}/readiness`, v.admin.endsWith('/') ? v.admin : `${v.admin}/`);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    } catch {
      return call.usage(`--admin: expected an http:// or https:// URL, got "${v.admin}"`);
    }
    return readiness(url, v.route, v.level as PromotionLevelName, timeoutMs, call.io);
  },
};

/** `shadowgate readiness ARGS`, for callers outside the command table. */
export function run(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  return runCommand(readinessCommand, argv, io);
}

async function readiness(url: URL, route: string, level: PromotionLevelName, timeoutMs: number, io: Io): Promise<number> {
  const token = io.env.SHADOWGATE_ADMIN_TOKEN;
  let status: number;
  let body: unknown;
  try {
    const res = await request(url, {
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.statusCode;
    const text = await res.body.text();
    try { body = JSON.parse(text); } catch { body = null; }
  } catch (err) {
    io.stderr.write(`readiness: cannot reach ${url.origin} (${(err as { code?: string }).code ?? (err as Error).name})\n`);
    return EXIT.usage;
  }
  if (status !== 200) {
    const message = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const hint = status === 401 ? (token ? ' (is SHADOWGATE_ADMIN_TOKEN right?)' : ' (set SHADOWGATE_ADMIN_TOKEN)') : '';
    io.stderr.write(`readiness: ${url.pathname} answered ${status}${message?.code ? ` ${message.code}` : ''}${message?.message ? `: ${message.message}` : ''}${hint}\n`);
    return EXIT.usage;
  }
  const verdict = (body as ReadinessResponse | null)?.levels?.[level];
  if (!verdict || typeof verdict.ready !== 'boolean' || !Array.isArray(verdict.reasons)) {
    io.stderr.write(`readiness: ${url.pathname} did not answer with a readiness report for level ${level}\n`);
    return EXIT.usage;
  }
  const current = (body as ReadinessResponse).level;
  io.stdout.write(`${route}: ${verdict.ready ? 'ready' : 'not ready'} for ${level}${current ? ` (now ${current})` : ''}\n`);
  for (const reason of verdict.reasons) io.stdout.write(`  - ${reason}\n`);
  return verdict.ready ? EXIT.ok : EXIT.failure;
}
