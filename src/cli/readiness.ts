// `shadowgate readiness`: asks a running shadowgate whether a route is ready for a serve level
// and prints the verdict with its reasons. Exit 0 ready, 1 not ready, 2 error. The admin token
// comes from SHADOWGATE_ADMIN_TOKEN and never appears in output.
import { parseArgs } from 'node:util';
import { request } from 'undici';
import type { ReadinessResponse } from '../evaluation/readiness.js';
import { PROMOTION_LEVELS, type PromotionLevelName } from '../evaluation/readiness.js';

export const READINESS_HELP = `usage: shadowgate readiness --admin URL --route NAME --level conditional|full [--timeout-ms N]

Reads GET /api/routes/NAME/readiness from a running shadowgate's admin API (Bearer token from
SHADOWGATE_ADMIN_TOKEN) and prints whether the route is ready for the level, with the reasons.
Exit status: 0 ready, 1 not ready, 2 error (usage, unreachable, unauthorized, unknown route).`;

export interface ReadinessIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

export async function run(argv: string[], io: ReadinessIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const usage = (message: string) => { io.stderr.write(`${message}\n\n${READINESS_HELP}\n`); return 2; };
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { admin: { type: 'string' }, route: { type: 'string' }, level: { type: 'string' }, 'timeout-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    return usage((err as Error).message);
  }
  if (values.help) { io.stdout.write(`${READINESS_HELP}\n`); return 0; }
  if (!values.admin) return usage('readiness needs --admin URL');
  if (!values.route) return usage('readiness needs --route NAME');
  if (!PROMOTION_LEVELS.includes(values.level as PromotionLevelName)) return usage(`--level: expected ${PROMOTION_LEVELS.join(' or ')}, got "${values.level ?? ''}"`);
  const level = values.level as PromotionLevelName;
  const timeoutMs = values['timeout-ms'] === undefined ? 10_000 : Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) return usage(`--timeout-ms: expected a positive integer, got "${values['timeout-ms']}"`);
  let url: URL;
  try {
    url = new URL(`api/routes/${encodeURIComponent(values.route)}/readiness`, values.admin.endsWith('/') ? values.admin : `${values.admin}/`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
  } catch {
    return usage(`--admin: expected an http:// or https:// URL, got "${values.admin}"`);
  }

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
    return 2;
  }
  if (status !== 200) {
    const message = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const hint = status === 401 ? (token ? ' (is SHADOWGATE_ADMIN_TOKEN right?)' : ' (set SHADOWGATE_ADMIN_TOKEN)') : '';
    io.stderr.write(`readiness: ${url.pathname} answered ${status}${message?.code ? ` ${message.code}` : ''}${message?.message ? `: ${message.message}` : ''}${hint}\n`);
    return 2;
  }
  const verdict = (body as ReadinessResponse | null)?.levels?.[level];
  if (!verdict || typeof verdict.ready !== 'boolean' || !Array.isArray(verdict.reasons)) {
    io.stderr.write(`readiness: ${url.pathname} did not answer with a readiness report for level ${level}\n`);
    return 2;
  }
  const current = (body as ReadinessResponse).level;
  io.stdout.write(`${values.route}: ${verdict.ready ? 'ready' : 'not ready'} for ${level}${current ? ` (now ${current})` : ''}\n`);
  for (const reason of verdict.reasons) io.stdout.write(`  - ${reason}\n`);
  return verdict.ready ? 0 : 1;
}
