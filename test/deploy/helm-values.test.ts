// What the chart decides from its values: contradictions fail the render with a message that
// says what to do, the restart checksum covers only what cannot reload live, the grace period
// follows the drain budget, and a parent chart can add the sidecar with the named templates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHART, ROOT, find, render, renderError } from '../support/helm.js';
import { schemaProblems, unknownFieldProblems, type K8sObject } from '../support/kubernetes.js';
import { checkRenderedConfig, podSpec, renderedConfig, shadowgateContainer } from '../support/release.js';

const SIDECAR = ['mode=sidecar', 'app.name=orders', 'app.image=registry.example.com/orders:1.4.2', 'config.server.port=8000'];

const FAILURES: { why: string; set: string[]; extra?: string[]; message: RegExp }[] = [
  { why: 'sidecar without app.image', set: ['mode=sidecar', 'app.name=orders', 'config.server.port=8000'], message: /mode: sidecar needs app\.image/ },
  { why: 'sidecar without app.name', set: ['mode=sidecar', 'app.image=orders:1', 'config.server.port=8000'], message: /mode: sidecar needs app\.name/ },
  { why: 'sidecar app on the proxy port', set: ['mode=sidecar', 'app.name=orders', 'app.image=orders:1'], message: /app\.port 8080 is also shadowgate's data-plane \(config\.server\.port\) port/ },
  { why: 'sidecar app on the admin port', set: [...SIDECAR, 'app.port=9090'], message: /app\.port 9090 is also shadowgate's admin \(config\.admin\.port\) port/ },
  { why: 'sidecar with a legacy URL of its own', set: [...SIDECAR, 'config.legacy.url=http://orders.shop.svc'], message: /legacy is the app container at http:\/\/127\.0\.0\.1:8080, but config\.legacy\.url is http:\/\/orders\.shop\.svc/ },
  { why: 'native sidecar on k8s 1.28', set: SIDECAR, extra: ['--kube-version', '1.28.0'], message: /sidecar\.native: true needs Kubernetes 1\.29.*set sidecar\.native: false/ },
  { why: 'standalone without a legacy URL', set: ['config.legacy=null'], message: /mode: standalone needs config\.legacy\.url/ },
  { why: 'one port for data plane and admin', set: ['config.server.port=9090'], message: /config\.server\.port and config\.admin\.port are both 9090/ },
  { why: 'a token in the config', set: ['config.admin.token=hunter2'], message: /config\.admin\.token must not hold a token.*set secrets\.adminToken/ },
  { why: 'Unleash without its token', set: ['config.flags.unleash.url=http://unleash:4242/api/'], message: /config\.flags\.unleash needs secrets\.unleashToken/ },
  { why: 'an Unleash token in the config', set: ['config.flags.unleash.url=http://unleash:4242/api/', 'config.flags.unleash.token=abc', 'secrets.unleashToken.value=abc'], message: /config\.flags\.unleash\.token must not hold a token/ },
  { why: 'an Unleash token without Unleash', set: ['secrets.unleashToken.existingSecret=u', 'secrets.unleashToken.key=k'], message: /secrets\.unleashToken is set but config\.flags\.unleash is not/ },
  { why: 'a token as a plain env value', set: ['env[0].name=SHADOWGATE_ADMIN_TOKEN', 'env[0].value=hunter2'], message: /env SHADOWGATE_ADMIN_TOKEN has a plain value/ },
  { why: 'a grace period inside the drain budget', set: ['terminationGracePeriodSeconds=25'], message: /terminationGracePeriodSeconds 25 is not above the drain budget .* = 25000 ms.*leave it empty for 30/ },
  { why: 'a grace period inside a longer drain', set: ['config.server.shutdownDelayMs=10000', 'terminationGracePeriodSeconds=30'], message: /= 35000 ms/ },
  { why: 'a PDB that blocks every drain', set: ['podDisruptionBudget.enabled=true', 'podDisruptionBudget.minAvailable=1'], message: /minAvailable 1 with 1 replica\(s\) would block every node drain/ },
  { why: 'a PDB with both bounds', set: ['podDisruptionBudget.enabled=true', 'podDisruptionBudget.minAvailable=1', 'podDisruptionBudget.maxUnavailable=1', 'replicaCount=3'], message: /set minAvailable or maxUnavailable, not both/ },
  { why: 'flagsBootstrap and flags.file', set: ['flagsBootstrap.version=1', 'config.flags.file=/x/flags.json'], message: /flagsBootstrap and config\.flags\.file are both set/ },
  { why: 'an unknown top-level key', set: ['replicas=3'], message: /Additional property replicas is not allowed/ },
  { why: 'a misspelt nested key', set: ['service.prot=80'], message: /service.*Additional property prot is not allowed/ },
  { why: 'an unknown mode', set: ['mode=daemonset'], message: /mode.*(must be one of|value must be one of)/i },
  { why: 'a token reference with both forms', set: ['secrets.adminToken.value=x', 'secrets.adminToken.existingSecret=s', 'secrets.adminToken.key=k'], message: /secrets\.adminToken: Must validate one and only one schema/ },
  { why: 'a token reference without its key', set: ['secrets.adminToken.existingSecret=s'], message: /secrets\.adminToken: key is required/ },
];

for (const f of FAILURES) {
  test(`the render fails with a clear message on ${f.why}`, () => {
    assert.match(renderError({ set: f.set, extra: f.extra }), f.message);
  });
}

test('the fixes those messages name render (sidecar.native: false on 1.28, a longer grace period)', () => {
  const old = render({ set: [...SIDECAR, 'sidecar.native=false'], extra: ['--kube-version', '1.28.0'] });
  assert.equal(podSpec(old).initContainers, undefined);
  assert.equal(podSpec(render({ set: ['terminationGracePeriodSeconds=26'] })).terminationGracePeriodSeconds, 26);
});

test('terminationGracePeriodSeconds by default: the drain budget rounded up plus 5 s', () => {
  const grace = (set: string[]) => podSpec(render({ set })).terminationGracePeriodSeconds;
  assert.equal(grace([]), 30);
  assert.equal(grace(['config.server.shutdownTimeoutMs=20000', 'config.server.shutdownDelayMs=5000']), 30);
  assert.equal(grace(['config.server.shutdownTimeoutMs=60000', 'config.server.shutdownDelayMs=2500']), 68);
});

test('checksum/config changes with what cannot reload live, not with routes, rules or flags', () => {
  const checksum = (set: string[]) => {
    const d = find(render({ set }), 'Deployment') as K8sObject & { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    return d.spec.template.metadata.annotations['checksum/config']!;
  };
  const base = checksum([]);
  assert.match(base, /^[0-9a-f]{64}$/);
  for (const live of [['config.routes[0].shadow.percent=50'], ['config.routes[0].compare.ignore[0]=/meta/id'], ['flagsBootstrap.version=1'], ['config.log.level=debug']]) {
    assert.equal(checksum(live), base, `${live} reloads live: no roll`);
  }
  for (const fixed of [['config.server.port=8081'], ['config.admin.port=9091'], ['config.server.host=127.0.0.1'], ['config.admin.host=127.0.0.1'],
    ['config.tracing.otlpEndpoint=http://otel:4318/v1/traces'], ['secrets.adminToken.value=a'], ['secrets.adminToken.existingSecret=s', 'secrets.adminToken.key=k']]) {
    assert.notEqual(checksum(fixed), base, `${fixed} needs a restart: the pods roll`);
  }
  assert.notEqual(checksum(['secrets.adminToken.value=a']), checksum(['secrets.adminToken.value=b']), 'a new chart-made token rolls the pods');
});

test('tokens: a value makes the Secret, an existing Secret is referenced as it is', () => {
  const made = render({ set: ['secrets.adminToken.value=s3cret'] });
  const secret = find(made, 'Secret') as K8sObject & { data: Record<string, string> };
  assert.equal(Buffer.from(secret.data['admin-token']!, 'base64').toString(), 's3cret');
  const env = shadowgateContainer(podSpec(made)).env!;
  assert.deepEqual(env, [{ name: 'SHADOWGATE_ADMIN_TOKEN', valueFrom: { secretKeyRef: { name: secret.metadata.name, key: 'admin-token' } } }]);
  assert.equal(renderedConfig(made).admin.token, '${SHADOWGATE_ADMIN_TOKEN}');

  const referenced = render({ set: ['secrets.adminToken.existingSecret=ops-tokens', 'secrets.adminToken.key=shadowgate'] });
  assert.equal(referenced.filter((o) => o.kind === 'Secret').length, 0);
  assert.deepEqual(shadowgateContainer(podSpec(referenced)).env![0]!.valueFrom, { secretKeyRef: { name: 'ops-tokens', key: 'shadowgate' } });
});

test('autoscaling leaves replicas to the HPA; the PDB selects the pods', () => {
  const objects = render({ set: ['autoscaling.enabled=true', 'podDisruptionBudget.enabled=true'] });
  const deployment = find(objects, 'Deployment') as K8sObject & { spec: { replicas?: number; template: { metadata: { labels: Record<string, string> } } } };
  assert.equal(deployment.spec.replicas, undefined);
  const hpa = find(objects, 'HorizontalPodAutoscaler') as K8sObject & { spec: { scaleTargetRef: { name: string }; minReplicas: number } };
  assert.equal(hpa.spec.scaleTargetRef.name, deployment.metadata.name);
  const pdb = find(objects, 'PodDisruptionBudget') as K8sObject & { spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } } };
  assert.equal(pdb.spec.maxUnavailable, 1);
  for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) assert.equal(deployment.spec.template.metadata.labels[k], v);
});

test('sidecar: app.container is merged over the generated app container', () => {
  const objects = render({ set: [...SIDECAR, 'app.container.env[0].name=MODE', 'app.container.env[0].value=prod', 'app.container.imagePullPolicy=Always'] });
  const app = podSpec(objects).containers.find((c) => c.name === 'orders')!;
  assert.equal(app.image, 'registry.example.com/orders:1.4.2');
  assert.equal(app.imagePullPolicy, 'Always');
  assert.deepEqual(app.env, [{ name: 'MODE', value: 'prod' }]);
  assert.equal(find(objects, 'Service').metadata.name, 'orders');
});

test('a parent chart adds the sidecar to its own workload with shadowgate.sidecarContainer via .Subcharts', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'sg-parent-chart-'));
  mkdirSync(join(parent, 'templates'));
  cpSync(CHART, join(parent, 'charts', 'shadowgate'), { recursive: true });
  writeFileSync(join(parent, 'Chart.yaml'), 'apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n  - name: shadowgate\n    version: 0.1.0\n');
  writeFileSync(join(parent, 'values.yaml'), `shadowgate:
  mode: sidecar
  app: { enabled: false, port: 8080 }
  config:
    server: { port: 8000 }
    agent: { url: http://agent:8080 }
    routes: [{ name: api, match: { path: /api/* } }]
`);
  writeFileSync(join(parent, 'templates', 'deployment.yaml'), `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  selector: { matchLabels: { app: shop } }
  template:
    metadata: { labels: { app: shop } }
    spec:
      terminationGracePeriodSeconds: {{ include "shadowgate.terminationGracePeriodSeconds" .Subcharts.shadowgate }}
      initContainers:
        {{- include "shadowgate.sidecarContainer" .Subcharts.shadowgate | nindent 8 }}
      containers:
        - name: shop
          image: registry.example.com/shop:3.1.0
          ports: [{ name: app, containerPort: 8080 }]
      volumes:
        {{- include "shadowgate.volumes" .Subcharts.shadowgate | nindent 8 }}
`);
  const objects = render({ chart: parent, release: 'shop' });
  assert.deepEqual((await Promise.all(objects.map(schemaProblems))).flat(), []);
  assert.deepEqual(unknownFieldProblems(objects), []);
  assert.deepEqual(objects.map((o) => o.kind).sort(), ['ConfigMap', 'Deployment'], 'the subchart renders no workload of its own');
  const spec = podSpec(objects);
  const sidecar = shadowgateContainer(spec);
  assert.equal(sidecar.restartPolicy, 'Always');
  assert.equal(sidecar.image, 'shadowgate:0.1.0');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  const configVolume = spec.volumes!.find((v) => v.name === 'shadowgate-config')!;
  assert.equal(configVolume.projected!.sources[0]!.configMap!.name, find(objects, 'ConfigMap').metadata.name);
  assert.equal(renderedConfig(objects).legacy.url, 'http://127.0.0.1:8080');
});

test('the values snippets of README "Deploying on Kubernetes" render, validate and pass check-config', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Deploying on Kubernetes\n');
  assert.ok(start >= 0, 'README has "Deploying on Kubernetes"');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const snippets = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(snippets.length >= 3, 'sidecar, Unleash and Prometheus snippets');
  const dir = mkdtempSync(join(tmpdir(), 'sg-readme-values-'));
  for (const [i, snippet] of snippets.entries()) {
    const file = join(dir, `snippet-${i}.yaml`);
    writeFileSync(file, snippet);
    const objects = render({ valuesFiles: [file] });
    assert.deepEqual((await Promise.all(objects.map(schemaProblems))).flat(), [], snippet);
    const r = checkRenderedConfig(objects);
    assert.ok(r.ok, `README snippet ${i}:\n${snippet}\n${r.output}`);
  }
});
