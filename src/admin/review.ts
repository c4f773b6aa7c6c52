// Human review of comparison samples: the static review page, verdicts on samples, and the
// per-route verdict tallies behind the agent's adjudicated accuracy. Tallies live apart from
// the samples (one small record per route) so they survive sample eviction.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { ShadowgateError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics/definitions.js';
import type { SampleStore } from '../store/samples.js';
import type { SuiteRecorder } from '../suites/recorder.js';

export const VERDICTS = ['agent_correct', 'legacy_correct', 'both_ok', 'both_wrong'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const MAX_NOTE_CHARS = 500;
/** Shown by the page and returned by the API, so the number is never read without its definition. */
export const ACCURACY_FORMULA = '(agent_correct + both_ok) / judged';

export interface RouteAccuracy {
  route: string;
  judged: number;
  agentCorrect: number;
  legacyCorrect: number;
  bothOk: number;
  bothWrong: number;
  /** null until something on the route was judged. */
  adjudicatedAccuracy: number | null;
}

/**
 * Current verdicts per route. A sample counts once, with its latest verdict: re-judging moves
 * it from the old verdict to the new one. (The Prometheus counter instead counts every verdict
 * recorded, re-judgements included: it measures review activity, not the current state.)
 */
export class VerdictTally {
  private readonly byRoute = new Map<string, Record<Verdict, number>>();

  constructor(routes: readonly string[]) {
    for (const route of routes) this.counts(route);
  }

  record(route: string, verdict: Verdict, previous: Verdict | undefined): void {
    const counts = this.counts(route);
    if (previous !== undefined) counts[previous] = Math.max(0, counts[previous] - 1);
    counts[verdict]++;
  }

  /** One route's tally as readiness reads it. */
  adjudicated(route: string): { accuracy: number | null; verdicts: number } {
    const c = this.byRoute.get(route);
    if (!c) return { accuracy: null, verdicts: 0 };
    const judged = c.agent_correct + c.legacy_correct + c.both_ok + c.both_wrong;
    return { accuracy: judged === 0 ? null : (c.agent_correct + c.both_ok) / judged, verdicts: judged };
  }

  accuracy(): RouteAccuracy[] {
    return [...this.byRoute].map(([route, c]) => {
      const judged = c.agent_correct + c.legacy_correct + c.both_ok + c.both_wrong;
      return {
        route, judged,
        agentCorrect: c.agent_correct, legacyCorrect: c.legacy_correct, bothOk: c.both_ok, bothWrong: c.both_wrong,
        adjudicatedAccuracy: judged === 0 ? null : (c.agent_correct + c.both_ok) / judged,
      };
    });
  }

  private counts(route: string): Record<Verdict, number> {
    let counts = this.byRoute.get(route);
    if (!counts) this.byRoute.set(route, (counts = { agent_correct: 0, legacy_correct: 0, both_ok: 0, both_wrong: 0 }));
    return counts;
  }
}

export interface ReviewDeps {
  samples: SampleStore;
  metrics: Pick<Metrics, 'reviewVerdicts' | 'reviewAccuracy'>;
  /** Configured route names: samples only ever carry these, which bounds the tallies. */
  routes: readonly string[];
  log: Logger;
  /** The tallies (readiness reads them too); a new one by default. */
  tally?: VerdictTally;
  /** Golden suites of the config in force: verdicts are appended beside the cases (null: no route records). */
  suites?: () => SuiteRecorder | null;
}

/** The verdict and accuracy API; mount after the token check. */
export function createReviewRouter(deps: ReviewDeps): express.Router {
  const tally = deps.tally ?? new VerdictTally(deps.routes);
  for (const route of deps.routes) for (const verdict of VERDICTS) deps.metrics.reviewVerdicts.inc({ route, verdict }, 0);
  const router = express.Router();

  router.post('/api/diffs/:id/verdict', (req, res) => {
    const { verdict, note } = parseVerdict(req.body);
    const sample = deps.samples.get(req.params.id);
    if (!sample) throw new ShadowgateError('SG_NOT_FOUND', `no sample with id "${req.params.id}" (it may have been evicted)`);
    const previous = sample.verdict?.verdict as Verdict | undefined;
    sample.verdict = { verdict, at: new Date().toISOString(), ...(note ? { note } : {}) };
    tally.record(sample.route, verdict, previous);
    // On disk beside the case, so the verdict outlives the in-memory sample store.
    deps.suites?.()?.verdict(sample, verdict, sample.verdict.at);
    deps.metrics.reviewVerdicts.inc({ route: sample.route, verdict });
    const accuracy = tally.accuracy().find((a) => a.route === sample.route)?.adjudicatedAccuracy;
    if (accuracy !== null && accuracy !== undefined) deps.metrics.reviewAccuracy.set({ route: sample.route }, accuracy);
    // The note is free text from a reviewer and may quote user data: debug level only.
    deps.log.info({ event: 'verdict', sampleId: sample.id, route: sample.route, verdict, replaced: previous }, 'review verdict recorded');
    if (note) deps.log.debug({ sampleId: sample.id, note }, 'review verdict note');
    res.json({ id: sample.id, route: sample.route, verdict: sample.verdict });
  });

  router.get('/api/review/accuracy', (_req, res) => {
    res.json({ formula: ACCURACY_FORMULA, routes: tally.accuracy() });
  });

  return router;
}

function parseVerdict(body: unknown): { verdict: Verdict; note?: string } {
  const b = (body ?? {}) as { verdict?: unknown; note?: unknown };
  if (typeof body !== 'object' || Array.isArray(body) || !VERDICTS.includes(b.verdict as Verdict)) {
    throw new ShadowgateError('SG_BAD_REQUEST', `verdict must be one of ${VERDICTS.join(', ')}`);
  }
  if (b.note !== undefined && (typeof b.note !== 'string' || b.note.length > MAX_NOTE_CHARS)) {
    throw new ShadowgateError('SG_BAD_REQUEST', `note must be a string of at most ${MAX_NOTE_CHARS} characters`);
  }
  return { verdict: b.verdict as Verdict, note: b.note === '' ? undefined : (b.note as string | undefined) };
}

/** The page's modules (src/admin/ui): each served as /ui/<name>; nothing else in the folder is. */
export const UI_MODULES = [
  'app.js', 'api-types.js', 'dom.js', 'format.js', 'modes.js', 'agreement.js', 'compare-rules.js', 'field-groups.js',
  'sample-list.js', 'json-tree.js', 'json-view.js', 'routes-view.js', 'route-actions.js', 'sample-view.js', 'groups-view.js',
  'fields.js',
] as const;

const UI_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  ...Object.fromEntries(UI_MODULES.map((file) => [`/ui/${file}`, { file, type: 'text/javascript; charset=utf-8' }])),
};

// The page talks only to this origin; the CSP makes the browser enforce that (no CDN, no fonts).
const UI_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * Where the page's files are: next to this module when running from source (tsx), or, from
 * dist/, a copy made by the build if there is one, else the source folder in the package.
 */
export function findUiDir(candidates: readonly URL[] = [new URL('./ui/', import.meta.url), new URL('../../src/admin/ui/', import.meta.url)]): string {
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(dir + 'index.html')) return dir;
  }
  throw new Error(`review page files not found (looked in ${candidates.map((c) => fileURLToPath(c)).join(', ')})`);
}

/**
 * The review page (GET / and /ui/*). Mounted before the token check: the files hold no data,
 * every datum comes from /api with the token. Only the listed files are served, read once.
 */
export function mountReviewPage(app: express.Express, dir: string = findUiDir()): void {
  for (const [path, { file, type }] of Object.entries(UI_FILES)) {
    const content = readFileSync(dir + file);
    app.get(path, (_req, res) => { res.set(UI_HEADERS).set('content-type', type).send(content); });
  }
}
