// The admin app (express, on its own port): health, metrics, and the operator API.
// Everything but /healthz, /readyz and /metrics needs the admin token when one is set.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { ShadowgateError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SampleStore } from '../store/samples.js';
import { COMPARISON_RESULTS, type ComparisonResult } from '../store/result-window.js';
import { requireToken } from './auth.js';

export interface RouteActions {
  list(): object[];
  get(name: string): object | undefined;
  /** Returns false when the route does not exist. */
  act?(name: string, action: 'kill' | 'unkill' | 'reset', who: string, why: string, force?: boolean): boolean;
}

export interface AdminDeps {
  token: string | undefined;
  registry: Registry;
  samples: SampleStore;
  routes: RouteActions;
  ready(): Promise<{ ready: boolean; checks: Record<string, unknown>; draining?: boolean }>;
  log: Logger;
  /** Routes mounted before auth: only what holds no data (the review page's static files). */
  public?: (app: express.Express) => void;
  /** Extra routers mounted after auth (verdicts, accuracy). */
  extend?: (app: express.Express) => void;
}

export function createAdminApp(deps: AdminDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
  app.get('/readyz', async (_req, res) => {
    const r = await deps.ready();
    res.status(r.ready ? 200 : 503).json({ ...r, status: r.ready ? 'ready' : 'not_ready' });
  });
  app.get('/metrics', async (_req, res, next) => {
    try {
      res.set('content-type', deps.registry.contentType).send(await deps.registry.metrics());
    } catch (err) { next(err); }
  });

  deps.public?.(app);
  // Authenticate before reading any body: an unauthenticated caller learns nothing about body handling.
  app.use(requireToken(deps.token));
  app.use(express.json({ limit: '16kb' }));

  app.get('/api/routes', (_req, res) => { res.json({ routes: deps.routes.list() }); });
  app.get('/api/routes/:name', (req, res) => {
    const route = deps.routes.get(req.params.name);
    if (!route) throw new ShadowgateError('SG_NOT_FOUND', `no route named "${req.params.name}"`);
    res.json(route);
  });
  for (const action of ['kill', 'unkill', 'reset'] as const) {
    app.post(`/api/routes/:name/${action}`, (req, res) => {
      if (!deps.routes.act) throw new ShadowgateError('SG_NOT_FOUND', 'route actions are not available');
      const body = (req.body ?? {}) as { who?: unknown; why?: unknown; force?: unknown };
      const who = typeof body.who === 'string' ? body.who.slice(0, 100) : 'admin-api';
      const why = typeof body.why === 'string' ? body.why.slice(0, 500) : '';
      if (body.force !== undefined && typeof body.force !== 'boolean') throw new ShadowgateError('SG_BAD_REQUEST', 'force must be true or false');
      if (!deps.routes.act(req.params.name, action, who, why, body.force === true)) throw new ShadowgateError('SG_NOT_FOUND', `no route named "${req.params.name}"`);
      res.json(deps.routes.get(req.params.name));
    });
  }

  app.get('/api/diffs', (req, res) => {
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new ShadowgateError('SG_BAD_REQUEST', 'limit must be an integer from 1 to 1000');
    const result = req.query.result as string | undefined;
    if (result !== undefined && !COMPARISON_RESULTS.includes(result as ComparisonResult)) {
      throw new ShadowgateError('SG_BAD_REQUEST', `result must be one of ${COMPARISON_RESULTS.join(', ')}`);
    }
    const route = typeof req.query.route === 'string' && req.query.route !== '' ? req.query.route : undefined;
    const field = typeof req.query.field === 'string' && req.query.field !== '' ? req.query.field : undefined;
    const diffs = deps.samples.list({ route, field, result: result as ComparisonResult | undefined, limit });
    res.json({ diffs, count: diffs.length, stored: deps.samples.size });
  });
  app.get('/api/diffs/:id', (req, res) => {
    const sample = deps.samples.get(req.params.id);
    if (!sample) throw new ShadowgateError('SG_NOT_FOUND', `no sample with id "${req.params.id}" (it may have been evicted)`);
    res.json(sample);
  });

  deps.extend?.(app);

  app.use((_req, _res) => { throw new ShadowgateError('SG_NOT_FOUND', 'no such endpoint'); });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ShadowgateError) { res.status(err.status).json(err.toJSON()); return; }
    const e = err as { status?: number; type?: string };
    if (e.type === 'entity.parse.failed' || e.type === 'entity.too.large') {
      res.status(e.status ?? 400).json(new ShadowgateError('SG_BAD_REQUEST', e.type === 'entity.too.large' ? 'request body too large' : 'request body is not valid JSON').toJSON());
      return;
    }
    deps.log.error({ err }, 'admin request failed');
    res.status(500).json(new ShadowgateError('SG_INTERNAL', 'internal error').toJSON());
  });
  return app;
}
