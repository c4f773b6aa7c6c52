// The chart with its defaults and each ci/ scenario, checked with the real tools: helm lint
// --strict and helm template, every object against the Kubernetes (and Prometheus Operator)
// schemas with unknown fields caught, the mounted shadowgate config through `shadowgate
// check-config`, and the dashboards and rules identical to dashboards/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART, ROOT, helm, render } from '../support/helm.js';
import { schemaProblems, unknownFieldProblems, type K8sObject } from '../support/kubernetes.js';
import { checkRenderedConfig, configMapData, podSpec, renderedConfig, shadowgateContainer } from '../support/release.js';
import { readFlagFile } from '../../src/flags/flag-file.js';

const CI_DIR = join(CHART, 'ci');
const SCENARIOS: { name: string; valuesFiles: string[] }[] = [
  { name: 'defaults', valuesFiles: [] },
  ...readdirSync(CI_DIR).filter((f) => f.endsWith('-values.yaml')).sort().map((f) => ({ name: f, valuesFiles: [join(CI_DIR, f)] })),
];

test('ci/ holds at least the scenarios the issue names', () => {
  const names = SCENARIOS.map((s) => s.name);
  for (const want of ['sidecar-values.yaml', 'sidecar-legacy-k8s-values.yaml', 'standalone-values.yaml', 'unleash-values.yaml', 'prometheus-operator-values.yaml']) {
    assert.ok(names.includes(want), `ci/${want} is missing`);
  }
});

const rendered = new Map<string, K8sObject[]>();
const renderOnce = (s: (typeof SCENARIOS)[number]) => {
  if (!rendered.has(s.name)) rendered.set(s.name, render({ valuesFiles: s.valuesFiles }));
  return rendered.get(s.name)!;
};

for (const scenario of SCENARIOS) {
  test(`${scenario.name}: helm lint --strict passes without a warning or a failed check`, () => {
    const r = helm(['lint', '--strict', CHART, ...scenario.valuesFiles.flatMap((f) => ['-f', f])]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // Lint turns a template's `fail` into an [INFO] line and keeps going: catch it here.
    assert.doesNotMatch(r.stdout + r.stderr, /\[(WARNING|ERROR)\]|Fail:/, r.stdout + r.stderr);
  });

  test(`${scenario.name}: every rendered object passes the Kubernetes / Prometheus Operator schema`, async () => {
    const objects = renderOnce(scenario);
    assert.ok(objects.length >= 3, `rendered only ${objects.length} objects`);
    const problems = (await Promise.all(objects.map(schemaProblems))).flat();
    assert.deepEqual(problems, []);
  });

  test(`${scenario.name}: the mounted config passes shadowgate check-config with the container's env`, () => {
    const r = checkRenderedConfig(renderOnce(scenario));
    assert.ok(r.ok, `check-config failed:\n${r.output}`);
  });

  test(`${scenario.name}: the shadowgate container is hardened, probed on the admin port and drained within the grace period`, () => {
    const objects = renderOnce(scenario);
    const spec = podSpec(objects);
    const c = shadowgateContainer(spec);
    const config = renderedConfig(objects);

    const sc = c.securityContext ?? {};
    assert.equal(sc.runAsNonRoot, true);
    assert.ok(Number.isInteger(sc.runAsUser) && (sc.runAsUser as number) > 0, 'numeric non-root runAsUser');
    assert.equal(sc.readOnlyRootFilesystem, true);
    assert.equal(sc.allowPrivilegeEscalation, false);
    assert.deepEqual((sc.capabilities as { drop?: string[] }).drop, ['ALL']);
    assert.deepEqual(sc.seccompProfile, { type: 'RuntimeDefault' });
    for (const kind of ['requests', 'limits'] as const) {
      assert.ok(c.resources?.[kind]?.cpu && c.resources[kind]!.memory, `resources.${kind} has cpu and memory`);
    }

    assert.deepEqual(c.livenessProbe?.httpGet, { path: '/healthz', port: 'admin' });
    assert.deepEqual(c.readinessProbe?.httpGet, { path: '/readyz', port: 'admin' });
    assert.ok(c.startupProbe?.httpGet, 'a startup probe');
    const port = (name: string) => c.ports?.find((p) => p.name === name)?.containerPort;
    assert.equal(port('http'), config.server?.port ?? 8080);
    assert.equal(port('admin'), config.admin?.port ?? 9090);
    assert.equal(config.admin.host ?? '0.0.0.0', '0.0.0.0', 'probes reach the admin port on the pod IP');

    const drainMs = (config.server?.shutdownTimeoutMs ?? 25_000) + (config.server?.shutdownDelayMs ?? 0);
    assert.ok(Number.isInteger(spec.terminationGracePeriodSeconds), 'terminationGracePeriodSeconds set explicitly');
    assert.ok(spec.terminationGracePeriodSeconds! * 1000 > drainMs, `grace ${spec.terminationGracePeriodSeconds}s > drain ${drainMs}ms`);

    // The config folder is mounted whole (a subPath mount never sees the ..data swap), read-only;
    // /tmp is the one writable path.
    const configMount = c.volumeMounts?.find((m) => m.mountPath === '/etc/shadowgate');
    assert.ok(configMount && configMount.subPath === undefined && configMount.readOnly === true, JSON.stringify(c.volumeMounts));
    assert.deepEqual(c.args, ['serve', '--config', '/etc/shadowgate/config.yaml']);
    const volume = spec.volumes?.find((v) => v.name === configMount.name);
    assert.ok(volume?.projected?.sources.some((s) => s.configMap?.name.endsWith('-config')));
    assert.ok(c.volumeMounts?.some((m) => m.mountPath === '/tmp') && spec.volumes?.some((v) => v.emptyDir !== undefined));
  });

  test(`${scenario.name}: the Service exposes the proxy port as http and the admin port as admin`, () => {
    const objects = renderOnce(scenario);
    const service = objects.find((o) => o.kind === 'Service') as (K8sObject & { spec: { ports: { name: string; targetPort: string }[]; selector: Record<string, string> } }) | undefined;
    assert.ok(service, 'a Service');
    assert.deepEqual(service.spec.ports.map((p) => [p.name, p.targetPort]), [['http', 'http'], ['admin', 'admin']]);
    const pod = (objects.find((o) => o.kind === 'Deployment') as K8sObject & { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec.template.metadata.labels;
    for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(pod[k], v, `Service selector ${k} selects the pods`);
  });

  test(`${scenario.name}: tokens reach the pod only through secretKeyRef, never a ConfigMap or a plain env value`, () => {
    const objects = renderOnce(scenario);
    const c = shadowgateContainer(podSpec(objects));
    const config = renderedConfig(objects);
    for (const name of ['SHADOWGATE_ADMIN_TOKEN', 'UNLEASH_BACKEND_TOKEN']) {
      const e = c.env?.find((x) => x.name === name);
      if (e) assert.ok(e.value === undefined && e.valueFrom?.secretKeyRef, `${name} from a secretKeyRef`);
    }
    if (config.admin?.token !== undefined) assert.equal(config.admin.token, '${SHADOWGATE_ADMIN_TOKEN}');
    if (config.flags?.unleash !== undefined) assert.equal(config.flags.unleash.token, '${UNLEASH_BACKEND_TOKEN}');
    const secretValues = objects.filter((o) => o.kind === 'Secret').flatMap((s) => Object.values((s as { data?: Record<string, string> }).data ?? {}).map((v) => Buffer.from(v, 'base64').toString()));
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
      const text = JSON.stringify(cm);
      for (const secret of secretValues) assert.ok(!text.includes(secret), `${cm.metadata.name} holds a token`);
    }
  });
}

test('every rendered object of every scenario has only known fields (type-checked against the models)', () => {
  const all = SCENARIOS.flatMap((s) => renderOnce(s));
  assert.deepEqual(unknownFieldProblems(all), []);
});

test('the unknown-field check catches a misspelt field and a wrong type (so the check above can fail)', () => {
  const base = renderOnce(SCENARIOS[0]!).find((o) => o.kind === 'Deployment')!;
  // One mutation per copy: the compiler reports the first problem of an object literal only.
  const cases: [string, (d: any) => void, RegExp][] = [
    ['a misspelt container field', (d) => { d.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true; }, /readOnlyRootFileSystem.*does not exist in type 'ISecurityContext'/],
    ['a misspelt pod field', (d) => { d.spec.template.spec.terminationGracePeriodSecond = 30; }, /terminationGracePeriodSecond.*does not exist/],
    ['a number as a label value', (d) => { d.metadata.labels.answer = 42; }, /"answer": 42.*not assignable to type 'string'/],
  ];
  const copies = cases.map(([, mutate]) => { const d = structuredClone(base); mutate(d); return d; });
  const problems = unknownFieldProblems(copies);
  assert.equal(problems.length, cases.length, problems.join('\n'));
  cases.forEach(([what, , pattern], i) => assert.match(problems[i]!, pattern, what));
});

test('prometheus-operator scenario: the dashboards and rules inside the objects are identical to dashboards/', () => {
  const objects = renderOnce(SCENARIOS.find((s) => s.name === 'prometheus-operator-values.yaml')!);
  const source = join(ROOT, 'dashboards');
  const dashboards = readdirSync(source).filter((f) => f.endsWith('.json')).sort();
  const carried = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1') as (K8sObject & { data: Record<string, string> })[];
  assert.deepEqual(carried.flatMap((cm) => Object.keys(cm.data)).sort(), dashboards);
  for (const cm of carried) {
    for (const [file, text] of Object.entries(cm.data)) assert.equal(text, readFileSync(join(source, file), 'utf8'), `${cm.metadata.name}: ${file} differs from dashboards/${file}`);
  }
  const rule = objects.find((o) => o.kind === 'PrometheusRule') as K8sObject & { spec: { groups: unknown } };
  assert.deepEqual(rule.spec.groups, (parse(readFileSync(join(source, 'alerts.yml'), 'utf8')) as { groups: unknown }).groups);
  const monitor = objects.find((o) => o.kind === 'ServiceMonitor') as K8sObject & { spec: { endpoints: { port: string; path: string }[] } };
  assert.deepEqual(monitor.spec.endpoints.map((e) => [e.port, e.path]), [['admin', '/metrics']]);
  assert.equal(monitor.metadata.labels?.release, 'kube-prometheus-stack');
});

test('sidecar scenarios: legacy is the app on loopback, the flags file is valid, the native sidecar starts first', async () => {
  for (const name of ['sidecar-values.yaml', 'sidecar-legacy-k8s-values.yaml']) {
    const objects = renderOnce(SCENARIOS.find((s) => s.name === name)!);
    const values = parse(readFileSync(join(CI_DIR, name), 'utf8')) as { app: { name: string; port: number }; sidecar?: { native?: boolean } };
    const config = renderedConfig(objects);
    assert.equal(config.legacy.url, `http://127.0.0.1:${values.app.port}`, name);
    const spec = podSpec(objects);
    const native = values.sidecar?.native ?? true;
    if (native) {
      assert.deepEqual(spec.initContainers?.map((c) => [c.name, c.restartPolicy]), [['shadowgate', 'Always']], name);
      assert.deepEqual(spec.containers.map((c) => c.name), [values.app.name]);
    } else {
      assert.equal(spec.initContainers, undefined, name);
      assert.deepEqual(spec.containers.map((c) => c.name).sort(), [values.app.name, 'shadowgate'].sort());
      assert.equal(shadowgateContainer(spec).restartPolicy, undefined);
    }
    const app = spec.containers.find((c) => c.name === values.app.name)!;
    assert.deepEqual(app.ports, [{ name: 'app', containerPort: values.app.port, protocol: 'TCP' }]);
  }
  const sidecar = renderOnce(SCENARIOS.find((s) => s.name === 'sidecar-values.yaml')!);
  const dir = mkdtempSync(join(tmpdir(), 'sg-chart-flags-'));
  writeFileSync(join(dir, 'flags.json'), configMapData(sidecar, '-flags')['flags.json']!);
  const flags = await readFlagFile(join(dir, 'flags.json'));
  assert.deepEqual(flags.features.map((f) => f.name), ['orders.shadow', 'orders.serve']);
  assert.equal(renderedConfig(sidecar).flags.file, 'flags.json', 'relative: read from the mounted folder beside config.yaml');
});
