// No Docker engine runs here: the Dockerfile is linted (dockerfile-utils, the linter behind the
// VS Code Docker extension, every check as an error), and the image's rules are checked on
// the parsed file (dockerfile-ast): pinned LTS slim base, multi-stage, numeric non-root user,
// tini as PID 1, ports, health check, OCI labels, exec-form ENTRYPOINT and CMD, and a build
// context (.dockerignore) that holds what the COPY lines need and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import { ROOT } from '../support/helm.js';
import { dockerignoreExcludes } from '../support/dockerignore.js';

const TEXT = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(TEXT);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; license: string };

interface Stage { name: string | null; image: string; instructions: Instruction[] }
function stages(): Stage[] {
  const out: Stage[] = [];
  for (const i of dockerfile.getInstructions()) {
    if (i.getKeyword() === 'FROM') {
      const from = dockerfile.getFROMs().find((f) => f.getRange().start.line === i.getRange().start.line)!;
      out.push({ name: from.getBuildStage(), image: from.getImage() ?? '', instructions: [] });
    } else if (out.length > 0) out[out.length - 1]!.instructions.push(i);
  }
  return out;
}
const ALL = stages();
const FINAL = ALL[ALL.length - 1]!;
const inFinal = (keyword: string) => FINAL.instructions.filter((i) => i.getKeyword() === keyword);
/** The exec-form arguments of an instruction (["a", "b"]), or undefined for shell form. */
function execForm(i: Instruction): string[] | undefined {
  const raw = (i.getArgumentsContent() ?? '').trim();
  if (!raw.startsWith('[')) return undefined;
  return JSON.parse(raw) as string[];
}
const initialArg = (name: string) => {
  const arg = dockerfile.getInitialARGs().find((a) => a.getProperty()?.getName() === name);
  return arg?.getProperty()?.getValue() ?? undefined;
};

test('the Dockerfile lints clean with every dockerfile-utils check as an error', () => {
  const E = ValidationSeverity.ERROR;
  const problems = validate(TEXT, {
    deprecatedMaintainer: E, directiveCasing: E, emptyContinuationLine: E, instructionCasing: E, instructionCmdMultiple: E,
    instructionEntrypointMultiple: E, instructionHealthcheckMultiple: E, instructionJSONInSingleQuotes: E, instructionWorkdirRelative: E,
  });
  assert.deepEqual(problems.map((p) => `line ${p.range.start.line + 1}: ${p.message}`), []);
});

test('the linter and the rules below do catch a bad Dockerfile (so these checks can fail)', () => {
  const bad = "FROM node:latest\nrun npm ci\nWORKDIR app\nCMD ['node']\n";
  assert.ok(validate(bad).length >= 3);
  assert.ok(!/^node:\d+\.\d+\.\d+-\w+-slim$/.test('node:latest'));
});

test('multi-stage, every stage on the Node LTS slim base pinned by an exact version (never latest)', () => {
  assert.ok(ALL.length >= 2, 'a build stage and a runtime stage');
  const base = initialArg('NODE_IMAGE');
  assert.ok(base, 'ARG NODE_IMAGE before the first FROM');
  const m = /^node:(\d+)\.(\d+)\.(\d+)-(bookworm|trixie)-slim$/.exec(base);
  assert.ok(m, `${base}: expected node:<major>.<minor>.<patch>-<debian>-slim`);
  const major = Number(m[1]);
  assert.ok(major % 2 === 0 && major >= 22, `Node ${major} is not a supported LTS line`);
  for (const s of ALL) assert.equal(s.image, '${NODE_IMAGE}', `stage ${s.name}: FROM the pinned ARG`);
  assert.ok(ALL.slice(0, -1).some((s) => s.instructions.some((i) => i.getKeyword() === 'RUN' && /npm ci(?! --omit=dev)/.test(i.getArgumentsContent() ?? ''))), 'a stage installs the dev dependencies to build');
});

test('the runtime stage: production dependencies and compiled JS only, copied from the build stages', () => {
  const copies = inFinal('COPY');
  assert.ok(copies.length > 0);
  for (const c of copies) assert.match(c.toString(), /^COPY --from=\w+ /, `runtime COPY from a stage, not the context: ${c.toString()}`);
  const deps = ALL.find((s) => s.name === 'deps')!;
  assert.ok(deps.instructions.some((i) => /npm ci --omit=dev/.test(i.getArgumentsContent() ?? '')), 'deps stage: npm ci --omit=dev');
  const build = ALL.find((s) => s.name === 'build')!;
  // test/deploy/production-tree.test.ts mirrors these two steps: keep them in step.
  assert.ok(build.instructions.some((i) => /npm pack --ignore-scripts/.test(i.getArgumentsContent() ?? '')), 'build stage: npm pack');
  assert.equal(dockerfile.getInstructions().filter((i) => i.getKeyword() === 'ADD').length, 0, 'COPY, never ADD');
});

test('a numeric non-root user, tini as PID 1, exec-form ENTRYPOINT running shadowgate, the serve CMD', () => {
  const users = inFinal('USER');
  assert.equal(users.length, 1);
  const user = users[0]!.getArgumentsContent()!.trim();
  assert.match(user, /^\d+(:\d+)?$/, 'numeric UID[:GID] (runAsNonRoot can verify it)');
  assert.notEqual(Number(user.split(':')[0]), 0);
  const install = inFinal('RUN').map((r) => r.getArgumentsContent() ?? '').find((r) => r.includes('apt-get install'));
  assert.ok(install && /--no-install-recommends/.test(install) && /\btini=[\w.+~-]+/.test(install) && /rm -rf \/var\/lib\/apt\/lists/.test(install), `tini from Debian, pinned, lists removed: ${install}`);
  assert.ok(install.includes(`--uid ${user.split(':')[0]}`), 'the image creates that user');

  const entrypoint = inFinal('ENTRYPOINT');
  assert.equal(entrypoint.length, 1);
  assert.deepEqual(execForm(entrypoint[0]!), ['/usr/bin/tini', '--', 'node', '/app/dist/main.js']);
  assert.deepEqual(execForm(inFinal('CMD')[0]!), ['serve', '--config', '/etc/shadowgate/config.yaml']);
});

test('EXPOSE 8080 9090, a HEALTHCHECK on the admin /healthz, OCI labels matching package.json', () => {
  assert.deepEqual(inFinal('EXPOSE').flatMap((e) => e.getArguments().map((a) => a.getValue())), ['8080', '9090']);
  const health = inFinal('HEALTHCHECK');
  assert.equal(health.length, 1);
  assert.match(health[0]!.getArgumentsContent() ?? '', /CMD \[.*127\.0\.0\.1:9090\/healthz/s);

  const labels = new Map<string, string>();
  for (const l of inFinal('LABEL')) {
    for (const m of (l.getArgumentsContent() ?? '').matchAll(/([\w.-]+)="([^"]*)"/g)) labels.set(m[1]!, m[2]!);
  }
  for (const key of ['title', 'description', 'version', 'licenses', 'base.name']) assert.ok(labels.has(`org.opencontainers.image.${key}`), key);
  assert.equal(labels.get('org.opencontainers.image.version'), '${VERSION}');
  const versionArg = FINAL.instructions.find((i) => i.getKeyword() === 'ARG' && /^VERSION=/.test(i.getArgumentsContent() ?? ''));
  assert.equal(versionArg?.getArgumentsContent(), `VERSION=${pkg.version}`, 'ARG VERSION defaults to package.json version');
  assert.equal(labels.get('org.opencontainers.image.licenses'), pkg.license);
});

test('.dockerignore: every COPY source is in the build context, and nothing else of note is', () => {
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
  for (const s of ALL) {
    for (const c of s.instructions.filter((i) => i.getKeyword() === 'COPY' && !i.toString().includes('--from='))) {
      const args = c.getArguments().map((a) => a.getValue()).filter((a) => !a.startsWith('--'));
      for (const source of args.slice(0, -1)) {
        assert.ok(existsSync(join(ROOT, source)), `COPY ${source}: missing from the repository`);
        assert.equal(dockerignoreExcludes(ignore, source), false, `COPY ${source} is excluded by .dockerignore`);
        assert.equal(dockerignoreExcludes(ignore, `${source}/x.ts`), false, `${source}'s contents are excluded`);
      }
    }
  }
  for (const kept of ['src/main.ts', 'src/admin/ui/index.html', 'config/demo.yaml']) assert.equal(dockerignoreExcludes(ignore, kept), false, kept);
  for (const left of ['node_modules/yaml/package.json', 'dist/main.js', 'test/unit/errors.test.ts', '.git/HEAD', '.tools/helm/helm', 'helm/shadowgate/Chart.yaml', 'README.md']) {
    assert.equal(dockerignoreExcludes(ignore, left), true, `${left} is in the build context`);
  }
});
