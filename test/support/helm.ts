// The pinned helm binary (scripts/install-helm.sh puts it in .tools/helm/) run against the
// chart, and its output parsed into objects. A missing binary is an error, never a skip.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './kubernetes.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHART = join(ROOT, 'helm', 'shadowgate');
export const HELM = join(ROOT, '.tools', 'helm', 'helm');

export interface HelmRun { code: number | null; stdout: string; stderr: string }

export function helm(args: readonly string[]): HelmRun {
  if (!existsSync(HELM)) throw new Error(`${HELM} is missing: run bash scripts/install-helm.sh (npm test's pretest does)`);
  // HOME and the helm dirs in a place helm may write to, away from the user's own helm setup.
  const env = { ...process.env, HELM_CACHE_HOME: join(ROOT, '.tools', 'helm', 'cache'), HELM_CONFIG_HOME: join(ROOT, '.tools', 'helm', 'config'), HELM_DATA_HOME: join(ROOT, '.tools', 'helm', 'data') };
  const r = spawnSync(HELM, args, { cwd: ROOT, encoding: 'utf8', env, timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface RenderOptions { valuesFiles?: readonly string[]; set?: readonly string[]; chart?: string; release?: string; extra?: readonly string[] }

function templateArgs(o: RenderOptions): string[] {
  return [
    'template', o.release ?? 'sg', o.chart ?? CHART, '--namespace', 'shop',
    ...(o.valuesFiles ?? []).flatMap((f) => ['-f', f]),
    ...(o.set ?? []).flatMap((s) => ['--set', s]),
    ...(o.extra ?? []),
  ];
}

/** `helm template`; throws with helm's stderr when the render fails. */
export function render(o: RenderOptions = {}): K8sObject[] {
  const r = helm(templateArgs(o));
  if (r.code !== 0) throw new Error(`helm template failed (exit ${r.code}):\n${r.stderr}`);
  return parseManifests(r.stdout);
}

/** `helm template` expected to fail: returns helm's error text. */
export function renderError(o: RenderOptions): string {
  const r = helm(templateArgs(o));
  if (r.code === 0) throw new Error(`helm template succeeded, expected a failure (${templateArgs(o).join(' ')})`);
  return r.stderr;
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    const obj = doc.toJS() as K8sObject | null;
    return obj === null ? [] : [obj];
  });
}

export function find(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length} (${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`);
  return found[0]!;
}
