// Reading a rendered release: the pod spec, the shadowgate container, the config it mounts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { K8sObject } from './kubernetes.js';
import { ROOT, find } from './helm.js';

export interface Container {
  name: string;
  image?: string;
  restartPolicy?: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  [key: string]: unknown;
}
export interface Probe { httpGet?: { path: string; port: string | number } }
export interface PodSpec {
  initContainers?: Container[];
  containers: Container[];
  volumes?: { name: string; projected?: { sources: { configMap?: { name: string } }[] }; emptyDir?: unknown }[];
  terminationGracePeriodSeconds?: number;
  securityContext?: Record<string, unknown>;
}

export function podSpec(objects: readonly K8sObject[]): PodSpec {
  const deployment = find(objects, 'Deployment') as K8sObject & { spec: { template: { spec: PodSpec } } };
  return deployment.spec.template.spec;
}

export function shadowgateContainer(spec: PodSpec): Container {
  const all = [...(spec.initContainers ?? []), ...spec.containers].filter((c) => c.name === 'shadowgate');
  if (all.length !== 1) throw new Error(`expected one container named shadowgate, found ${all.length}`);
  return all[0]!;
}

export function configMapData(objects: readonly K8sObject[], nameSuffix: string): Record<string, string> {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith(nameSuffix)) as (K8sObject & { data: Record<string, string> }) | undefined;
  if (!cm) throw new Error(`no ConfigMap named *${nameSuffix}`);
  return cm.data;
}

/** The shadowgate config file the pod mounts, parsed. */
export function renderedConfig(objects: readonly K8sObject[]): Record<string, any> {
  return parse(configMapData(objects, '-config')['config.yaml']!) as Record<string, any>;
}

/**
 * `shadowgate check-config` on the config the release mounts, with only the environment the
 * pod would have: the shadowgate container's env, secret references replaced by stand-ins.
 */
export function checkRenderedConfig(objects: readonly K8sObject[]): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sg-chart-config-'));
  const text = configMapData(objects, '-config')['config.yaml']!;
  writeFileSync(join(dir, 'config.yaml'), text);
  // The whole mounted folder, as the pod sees it: the flags bootstrap sits beside the config.
  const flags = objects.some((o) => o.kind === 'ConfigMap' && o.metadata?.name?.endsWith('-flags')) ? configMapData(objects, '-flags')['flags.json'] : undefined;
  if (flags !== undefined) writeFileSync(join(dir, 'flags.json'), flags);
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const e of shadowgateContainer(podSpec(objects)).env ?? []) env[e.name] = e.value ?? `stand-in-for-${e.valueFrom?.secretKeyRef?.name}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts'), 'check-config', join(dir, 'config.yaml')], { cwd: ROOT, env, encoding: 'utf8' });
  const ok = r.status === 0 && /: valid \(/.test(r.stdout);
  return { ok, output: `${r.stdout}${r.stderr}\n--- config.yaml ---\n${text}` };
}
