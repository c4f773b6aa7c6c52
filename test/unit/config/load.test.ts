import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildConfig, loadConfigFile } from '../../../src/config/load.js';
import { ShadowgateError } from '../../../src/errors.js';

const BASE = { legacy: { url: 'http://legacy:3000' }, agent: { url: 'http://agent:4000' }, routes: [{ name: 'q', match: { path: '/api/q' } }] };

function tempConfig(text: string, files: Record<string, string> = {}): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sg-config-'));
  const file = join(dir, 'shadowgate.yaml');
  writeFileSync(file, text);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return { dir, file };
}

/** Runs `fn`, expects a ShadowgateError, returns it. */
function failure(fn: () => unknown): ShadowgateError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ShadowgateError, `expected a ShadowgateError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the config to be rejected');
}

const problemsOf = (err: ShadowgateError) => err.details as string[];

describe('loadConfigFile', () => {
  test('an unknown key is reported with the file name and its key path', () => {
    const { file } = tempConfig(`legacy: { url: http://l:1 }
agent: { url: http://a:1 }
routes:
  - name: q
    match: { path: /api/q }
    compare:
      ignroe: [/meta]
`);
    const err = failure(() => loadConfigFile(file, {}));
    assert.equal(err.code, 'SG_CONFIG_INVALID');
    assert.equal(err.message, `${file}: 1 configuration problem(s):\n  - routes[0].compare.ignroe (line 7): unknown key, did you mean "ignore"?`);
    assert.deepEqual(problemsOf(err), ['routes[0].compare.ignroe: unknown key, did you mean "ignore"?']);
  });

  test('${VAR} works quoted and unquoted in YAML, and ${VAR:-default} falls back', () => {
    const { file } = tempConfig(`server:
  port: \${PORT}
  host: \${HOST:-127.0.0.1}
legacy:
  url: "\${LEGACY_URL}"
  timeoutMs: \${LEGACY_TIMEOUT:-1500}
agent:
  url: \${AGENT_URL}
routes:
  - name: q
    match: { path: "/api/\${SEGMENT}" }
`);
    const config = loadConfigFile(file, { PORT: '8181', LEGACY_URL: 'http://legacy.internal:3000', AGENT_URL: 'http://agent.internal:4000', SEGMENT: 'quote' });
    assert.equal(config.server.port, 8181);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.legacy.url, 'http://legacy.internal:3000');
    assert.equal(config.legacy.timeoutMs, 1500);
    assert.equal(config.agent.url, 'http://agent.internal:4000');
    assert.equal(config.routes[0]!.match.path, '/api/quote');
  });

  test('relative plug-in, schema and flag paths are resolved against the config file folder', () => {
    const { dir, file } = tempConfig(`legacy: { url: http://l:1 }
agent: { url: http://a:1 }
flags: { file: flags/rollout.json }
routes:
  - name: q
    match: { path: /api/q }
    compare: { plugin: ./plugins/compare.mjs }
    serve: { gates: { schema: schema.json, plugin: /abs/gate.mjs } }
`);
    const config = loadConfigFile(file, {});
    assert.equal(config.flags.file, join(dir, 'flags/rollout.json'));
    assert.equal(config.routes[0]!.compare.plugin, join(dir, 'plugins/compare.mjs'));
    assert.equal(config.routes[0]!.serve.gates.schema, join(dir, 'schema.json'));
    assert.equal(config.routes[0]!.serve.gates.plugin, '/abs/gate.mjs', 'absolute paths stay as they are');
  });

  test('a flags.json beside the config file is used when flags.file is not set', () => {
    const { dir, file } = tempConfig('legacy: { url: http://l:1 }\nagent: { url: http://a:1 }\nroutes: [{ name: q, match: { path: /q } }]\n', { 'flags.json': '{"version":1,"features":[]}' });
    assert.equal(loadConfigFile(file, {}).flags.file, join(dir, 'flags.json'));
    const other = tempConfig('legacy: { url: http://l:1 }\nagent: { url: http://a:1 }\nroutes: [{ name: q, match: { path: /q } }]\n');
    assert.equal(loadConfigFile(other.file, {}).flags.file, undefined);
  });

  test('config/minimal.yaml gets the documented defaults', () => {
    const config = loadConfigFile('config/minimal.yaml', {});
    assert.equal(config.server.port, 8080);
    assert.equal(config.server.host, '0.0.0.0');
    assert.equal(config.server.servedByHeader, 'x-shadowgate-served-by');
    assert.equal(config.admin.port, 9090);
    assert.equal(config.admin.host, undefined);
    assert.equal(config.admin.token, undefined);
    assert.equal(config.log.level, 'info');
    assert.equal(config.legacy.timeoutMs, 30_000);
    assert.equal(config.agent.timeoutMs, 10_000);
    assert.equal(config.agent.maxInFlight, 256);
    assert.deepEqual(config.redact.headers, ['authorization', 'cookie', 'set-cookie', 'proxy-authorization']);
    assert.deepEqual(config.redact.fields, []);
    assert.equal(config.shadow.maxBufferedBytes, 64 * 1024 * 1024);
    assert.equal(config.samples.max, 1000);
    assert.equal(config.metrics.maxFieldsPerRoute, 20);
    assert.equal(config.flags.context.userId.header, 'x-user-id');
    const [route] = config.routes;
    assert.equal(route!.name, 'quote');
    assert.deepEqual(route!.match.methods, ['POST']);
    assert.deepEqual(route!.flags, { shadow: 'quote.shadow', serve: 'quote.serve', kill: 'quote.kill' });
    assert.deepEqual(route!.shadow, { percent: 100, sideEffects: true, maxBodyBytes: 1_048_576, forwardHeaders: [] });
    assert.equal(route!.compare.status, true);
    assert.deepEqual(route!.compare.headers, ['content-type']);
    assert.equal(route!.compare.numericTolerance, 0);
    assert.equal(route!.serve.fallback, 'on-failure');
  });

  test('config/demo.yaml is valid once its URLs are given', () => {
    const config = loadConfigFile('config/demo.yaml', { DEMO_LEGACY_URL: 'http://127.0.0.1:3000', DEMO_AGENT_URL: 'http://127.0.0.1:4000' });
    assert.deepEqual(config.routes.map((r) => r.name), ['quote', 'orders']);
    assert.equal(config.admin.token, undefined, '${SHADOWGATE_ADMIN_TOKEN:-} with nothing set means no token');
    assert.equal(config.flags.file, resolve('config/flags.json'));
    const err = failure(() => loadConfigFile('config/demo.yaml', {}));
    assert.deepEqual(problemsOf(err), [
      'legacy.url: environment variable DEMO_LEGACY_URL is not set',
      'agent.url: environment variable DEMO_AGENT_URL is not set',
    ]);
  });

  test('a missing or unparseable file is SG_CONFIG_READ naming the file', () => {
    const missing = failure(() => loadConfigFile('/nonexistent/shadowgate.yaml', {}));
    assert.equal(missing.code, 'SG_CONFIG_READ');
    assert.match(missing.message, /\/nonexistent\/shadowgate\.yaml: cannot read config file \(ENOENT\)/);
    const { file } = tempConfig('legacy: { url: [unclosed\n');
    const bad = failure(() => loadConfigFile(file, {}));
    assert.equal(bad.code, 'SG_CONFIG_READ');
    assert.ok(bad.message.startsWith(`${file}:2:1: not valid YAML`), bad.message);
  });

  test('an empty file lists everything required', () => {
    const { file } = tempConfig('');
    assert.deepEqual(problemsOf(failure(() => loadConfigFile(file, {}))), [
      'legacy: missing (expected object)',
      'agent: missing (expected object)',
      'routes: missing (expected array)',
    ]);
  });
});

describe('buildConfig', () => {
  test('wrong type names the key and the expected type', () => {
    const err = failure(() => buildConfig({ ...BASE, legacy: { url: 'http://l:1', timeoutMs: 'soon' } }, { env: {} }));
    assert.deepEqual(problemsOf(err), ['legacy.timeoutMs: expected number, received string "soon"']);
  });

  test('a URL that is not absolute http(s) is rejected', () => {
    for (const url of ['ftp://legacy:21', 'legacy:3000', '/relative', 'not a url']) {
      const err = failure(() => buildConfig({ ...BASE, legacy: { url } }, { env: {} }));
      assert.deepEqual(problemsOf(err), [`legacy.url: expected an absolute http:// or https:// URL, received "${url}"`], url);
    }
  });

  test('a missing env var is reported once, naming the variable and the key (regression: it was reported twice)', () => {
    const err = failure(() => buildConfig({ ...BASE, agent: { url: '${AGENT_URL}' } }, { env: {}, source: 'prod.yaml' }));
    assert.equal(err.code, 'SG_CONFIG_INVALID');
    assert.deepEqual(problemsOf(err), ['agent.url: environment variable AGENT_URL is not set']);
    assert.equal(err.message, 'prod.yaml: 1 configuration problem(s):\n  - agent.url: environment variable AGENT_URL is not set');
  });

  test('a missing env var inside a longer value, and an empty one, count as not set', () => {
    const err = failure(() => buildConfig({ ...BASE, legacy: { url: 'http://${LEGACY_HOST}:3000' }, agent: { url: '${AGENT_URL}' } }, { env: { AGENT_URL: '' } }));
    assert.deepEqual(problemsOf(err), [
      'legacy.url: environment variable LEGACY_HOST is not set',
      'agent.url: environment variable AGENT_URL is not set',
    ]);
  });

  test('${VAR:-} for an optional key leaves it unset', () => {
    const config = buildConfig({ ...BASE, admin: { token: '${ADMIN_TOKEN:-}' } }, { env: {} });
    assert.equal(config.admin.token, undefined);
    assert.equal(buildConfig({ ...BASE, admin: { token: '${ADMIN_TOKEN:-}' } }, { env: { ADMIN_TOKEN: 't0k' } }).admin.token, 't0k');
  });

  test('env comes from options.env, not process.env', () => {
    process.env.SG_TEST_ONLY_IN_PROCESS = 'http://process-env:1';
    try {
      const err = failure(() => buildConfig({ ...BASE, agent: { url: '${SG_TEST_ONLY_IN_PROCESS}' } }, { env: {} }));
      assert.deepEqual(problemsOf(err), ['agent.url: environment variable SG_TEST_ONLY_IN_PROCESS is not set']);
    } finally {
      delete process.env.SG_TEST_ONLY_IN_PROCESS;
    }
  });

  test('all problems are reported at once', () => {
    const err = failure(() => buildConfig({
      server: { port: 70_000, bogus: 1 },
      legacy: { url: 'nope' },
      agent: { url: '${MISSING_AGENT}', maxInFlight: 0 },
      routes: [{ name: 'q', match: { path: 'api' }, shadow: { percent: 150 } }],
    }, { env: {}, source: 'bad.yaml' }));
    assert.deepEqual(problemsOf(err).sort(), [
      'agent.maxInFlight: expected a number >= 1, received 0',
      'agent.url: environment variable MISSING_AGENT is not set',
      'legacy.url: expected an absolute http:// or https:// URL, received "nope"',
      'routes[0].match.path: expected a path starting with "/" (supported: exact /api/quote, parameters /api/orders/:id, a trailing wildcard /api/*), received "api"',
      'routes[0].shadow.percent: expected a number <= 100, received 150',
      'server.bogus: unknown key (known here: port, host, servedByHeader, keepAliveTimeoutMs, headersTimeoutMs, requestTimeoutMs, maxConnections, maxSockets, shutdownTimeoutMs, shutdownDelayMs)',
      'server.port: expected a number <= 65535, received 70000',
    ]);
    assert.match(err.message, /^bad\.yaml: 7 configuration problem\(s\):/);
    assert.equal(err.message.split('bad.yaml').length - 1, 1, 'the file is named once, at the top');
    for (const p of problemsOf(err)) assert.ok(err.message.includes(`  - ${p}`), p);
  });

  test('duplicate route names are rejected', () => {
    const err = failure(() => buildConfig({ ...BASE, routes: [{ name: 'a', match: { path: '/x' } }, { name: 'a', match: { path: '/y' } }] }, { env: {} }));
    assert.deepEqual(problemsOf(err), ['routes[1].name: duplicate route name "a"']);
  });

  test('"unmatched" is a reserved route name', () => {
    const err = failure(() => buildConfig({ ...BASE, routes: [{ name: 'unmatched', match: { path: '/x' } }] }, { env: {} }));
    assert.deepEqual(problemsOf(err), ['routes[0].name: "unmatched" is reserved for requests that match no route']);
  });

  test('at least one route is required', () => {
    assert.deepEqual(problemsOf(failure(() => buildConfig({ ...BASE, routes: [] }, { env: {} }))), ['routes: expected at least one route']);
  });

  test('the result is deeply frozen', () => {
    const config = buildConfig(BASE, { env: {} });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.routes));
    assert.ok(Object.isFrozen(config.routes[0]!.compare.ignore));
    assert.throws(() => { (config.legacy as { url: string }).url = 'http://evil'; }, TypeError);
    assert.throws(() => { (config.routes as unknown[]).push({}); }, TypeError);
  });

  test('header names are lower-cased and methods upper-cased', () => {
    const config = buildConfig({
      ...BASE, redact: { headers: ['X-Api-Key', 'Authorization'] },
      routes: [{ name: 'q', match: { path: '/q', methods: ['get', 'Post'] }, shadow: { forwardHeaders: ['X-Api-Key'] } }],
    }, { env: {} });
    assert.deepEqual(config.redact.headers, ['x-api-key', 'authorization']);
    assert.deepEqual(config.routes[0]!.match.methods, ['GET', 'POST']);
    assert.deepEqual(config.routes[0]!.shadow.forwardHeaders, ['x-api-key']);
  });

  test('numbers and booleans from env strings are coerced', () => {
    const config = buildConfig({
      ...BASE, agent: { url: 'http://a:1', maxInFlight: '${MAX}' },
      routes: [{ name: 'q', match: { path: '/q' }, shadow: { sideEffects: '${SIDE}', percent: '${PCT}' } }],
    }, { env: { MAX: '12', SIDE: 'true', PCT: '12.5' } });
    assert.equal(config.agent.maxInFlight, 12);
    assert.equal(config.routes[0]!.shadow.sideEffects, true);
    assert.equal(config.routes[0]!.shadow.percent, 12.5);
  });
});

describe('errors that say how to fix them', () => {
  const BASE_YAML = 'legacy: { url: http://l:1 }\nagent: { url: http://a:1 }\nroutes: [{ name: q, match: { path: /q } }]\n';

  test('${VAR} inside a flow map (the README\'s own pattern) is accepted (regression: "Unexpected flow-map-start" and nothing after the colon)', () => {
    const { file } = tempConfig(`admin: { port: 9191, token: \${TOKEN} }\n${BASE_YAML}`);
    const config = loadConfigFile(file, { TOKEN: 's3cret' });
    assert.equal(config.admin.port, 9191);
    assert.equal(config.admin.token, 's3cret');
  });

  test('a value with YAML syntax in it cannot change the document\'s structure', () => {
    const { file } = tempConfig(`admin: { port: 9191, token: \${TOKEN} }\n${BASE_YAML}`);
    const token = 'a, port: 1 } #"\'\\n: [x]';
    const config = loadConfigFile(file, { TOKEN: token });
    assert.equal(config.admin.token, token);
    assert.equal(config.admin.port, 9191);
    assert.deepEqual(Object.keys(config.admin).sort(), ['port', 'token']);
  });

  test('${VAR} in a flow sequence and inside a longer flow value are accepted too', () => {
    const { file } = tempConfig(`redact: { headers: [\${H1}, x-b] }\nlegacy: { url: http://\${HOST}:3000 }\nagent: { url: http://a:1 }\nroutes: [{ name: q, match: { path: /q } }]\n`);
    const config = loadConfigFile(file, { H1: 'X-Api-Key', HOST: 'legacy.internal' });
    assert.deepEqual(config.redact.headers, ['x-api-key', 'x-b']);
    assert.equal(config.legacy.url, 'http://legacy.internal:3000');
  });

  test('a YAML error shows the file, line and column, the offending line and a caret under the column', () => {
    const { file } = tempConfig('legacy: { url: http://l:1 }\nagent: { url: http://a:1 }\nroutes:\n  - name: q\n   match: { path: /q }\n');
    const err = failure(() => loadConfigFile(file, {}));
    assert.equal(err.code, 'SG_CONFIG_READ');
    const [head, code, caret] = err.message.split('\n');
    assert.match(head!, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+: not valid YAML: \\S`));
    assert.equal(code, '  5 |    match: { path: /q }');
    const col = Number(/:5:(\d+):/.exec(head!)![1]);
    assert.equal(caret, `    | ${' '.repeat(col - 1)}^`);
  });

  test('a flow-map ${VAR} that quoting cannot rescue gets the hint to quote it', () => {
    const { file } = tempConfig(`admin: { port: 9191, token: \${TOKEN} x: }\n${BASE_YAML}`);
    const err = failure(() => loadConfigFile(file, { TOKEN: 't' }));
    assert.equal(err.code, 'SG_CONFIG_READ');
    assert.match(err.message, /:1:\d+: not valid YAML/);
    assert.ok(err.message.includes('  1 | admin: { port: 9191, token: ${TOKEN} x: }'), err.message);
    assert.ok(err.message.includes('hint: inside { } or [ ], quote a ${VAR} reference: token: "${TOKEN}"'), err.message);
  });

  test('misspelt keys get the nearest known key', () => {
    const err = failure(() => buildConfig({
      ...BASE,
      legacy: { url: 'http://l:1', timeoutMS: 5 },
      routes: [{ name: 'q', match: { path: '/q' }, guardrail: { minSample: 3 }, serve: { gates: { confidence: { heder: 'x-c' } } } }],
    }, { env: {} }));
    assert.deepEqual(problemsOf(err), [
      'legacy.timeoutMS: unknown key, did you mean "timeoutMs"?',
      'routes[0].serve.gates.confidence: expected { header } or { pointer } (did you mean "header"?), received {"heder":"x-c"}',
      'routes[0].guardrail.minSample: unknown key, did you mean "minSamples"?',
    ]);
  });

  test('a misspelt choice gets the nearest allowed value', () => {
    const err = failure(() => buildConfig({ ...BASE, routes: [{ name: 'q', match: { path: '/q', methods: ['GETT'] }, serve: { fallback: 'paralel' } }] }, { env: {} }));
    assert.deepEqual(problemsOf(err), [
      'routes[0].match.methods[0]: expected one of "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", received "GETT"; did you mean "GET"?',
      'routes[0].serve.fallback: expected one of "on-failure", "parallel", received "paralel"; did you mean "parallel"?',
    ]);
  });

  test('problems carry the line of their key, in file order', () => {
    const { file } = tempConfig(`legacy: { url: http://l:1 }
agent:
  url: http://a:1
  maxInFlight: 0
routes:
  - name: q
    match: { path: /q }
    shadow:
      percent: 150
server: { port: 70000 }
`);
    const err = failure(() => loadConfigFile(file, {}));
    assert.deepEqual(err.message.split('\n').slice(1), [
      '  - agent.maxInFlight (line 4): expected a number >= 1, received 0',
      '  - routes[0].shadow.percent (line 9): expected a number <= 100, received 150',
      '  - server.port (line 10): expected a number <= 65535, received 70000',
    ]);
  });

  test('a secret is never shown as the value received (regression guard for "show the value")', () => {
    const err = failure(() => buildConfig({
      ...BASE, admin: { token: 987654321 },
      flags: { unleash: { url: 'http://u:4242/api', token: ['tok-abcdef'] } },
      agent: { url: 'http://user:pa55word@agent' , timeoutMs: 'x' },
    }, { env: {} }));
    const text = `${err.message}\n${problemsOf(err).join('\n')}`;
    assert.ok(!text.includes('987654321'), text);
    assert.ok(!text.includes('tok-abcdef'), text);
    assert.ok(text.includes('admin.token: expected string, received number'), text);
  });

  test('a URL password in a value received is masked', () => {
    const err = failure(() => buildConfig({ ...BASE, legacy: { url: 'ftp://user:pa55word@legacy' } }, { env: {} }));
    assert.deepEqual(problemsOf(err), ['legacy.url: expected an absolute http:// or https:// URL, received "ftp://user:***@legacy"']);
  });

  test('log.format accepts pretty and json and nothing else; unset leaves the choice to the terminal', () => {
    assert.equal(buildConfig({ ...BASE, log: { format: 'pretty' } }, { env: {} }).log.format, 'pretty');
    assert.equal(buildConfig(BASE, { env: {} }).log.format, undefined);
    assert.deepEqual(problemsOf(failure(() => buildConfig({ ...BASE, log: { format: 'text' } }, { env: {} }))), [
      'log.format: expected one of "pretty", "json", received "text"',
    ]);
  });
});

describe('route patterns', () => {
  const SUPPORTED = '(supported: exact /api/quote, parameters /api/orders/:id, a trailing wildcard /api/*)';
  const cases: [pattern: string, fix: string][] = [
    ['/api/price/{sku}', 'write the parameter "{sku}" as ":sku"'],
    ['/api/*/price', '"*" only works as the last segment, use ":name" to match one segment'],
    ['/api/price/:sku(\\d+)', 'a parameter is ":" and a name only (letters, digits, "_"), no pattern; ":sku" matches any one segment'],
    ['/api/**', '"**" does not exist, a trailing "/*" already matches any depth'],
    ['/api/price/:', '":" needs a parameter name, e.g. ":id"'],
    ['/api/price*', '"*" is no glob inside "price*", use ":name" to match one whole segment'],
    ['/api/quote?x=1', 'patterns match the path only, without "?query" or "#fragment"'],
  ];
  for (const [pattern, fix] of cases) {
    test(`${pattern} is rejected (regression: it was accepted and never matched)`, () => {
      const err = failure(() => buildConfig({ ...BASE, routes: [{ name: 'p', match: { path: pattern } }] }, { env: {} }));
      assert.deepEqual(problemsOf(err), [`routes[0].match.path: "${pattern}" is not a supported pattern: ${fix} ${SUPPORTED}`]);
    });
  }

  for (const pattern of ['/', '/*', '/api/quote', '/api/orders/:id', '/api/orders/:id/items/:item_id', '/api/*', '/v1/things:batchGet', '/a+b', '/api/quote/']) {
    test(`${pattern} is accepted`, () => {
      assert.equal(buildConfig({ ...BASE, routes: [{ name: 'p', match: { path: pattern } }] }, { env: {} }).routes[0]!.match.path, pattern);
    });
  }

  test('an empty methods list is rejected (it would match nothing)', () => {
    assert.deepEqual(problemsOf(failure(() => buildConfig({ ...BASE, routes: [{ name: 'p', match: { path: '/p', methods: [] } }] }, { env: {} }))), [
      'routes[0].match.methods: expected at least one method (leave methods out to match every method)',
    ]);
  });
});
