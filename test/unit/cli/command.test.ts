import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderHelp, runCommand, type Command, type Io } from '../../../src/cli/command.js';
import { COMMANDS, main } from '../../../src/main.js';

function fakeIo(env: NodeJS.ProcessEnv = {}): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (t: string) => { out += t; } }, stderr: { write: (t: string) => { err += t; } }, env, out: () => out, err: () => err };
}

const ran: { values: unknown; positionals: readonly string[] }[] = [];
const FAKE: Command = {
  name: 'fake',
  summary: 'a command for tests',
  synopsis: '[--level N] [--loud] [FILE]',
  description: 'Does nothing.',
  arguments: [{ name: 'FILE', description: 'a file' }],
  options: { level: { type: 'string', short: 'l', value: 'N', description: 'how much' }, loud: { type: 'boolean', description: 'louder' } },
  env: { FAKE_HOME: 'where' },
  exitStatus: ['0  always'],
  async run(call) { ran.push({ values: { ...call.values }, positionals: call.positionals }); return 0; },
};

describe('runCommand', () => {
  test('--help prints the help on stdout and exits 0, even next to an unknown option', async () => {
    for (const argv of [['--help'], ['-h'], ['--bogus', '--help'], ['x', '-h']]) {
      const io = fakeIo();
      assert.equal(await runCommand(FAKE, argv, io), 0, argv.join(' '));
      assert.equal(io.out(), renderHelp(FAKE));
      assert.equal(io.err(), '');
    }
  });

  test('an unknown option: one line naming it, the usage, a pointer to --help; exit 2 (regression: ERR_PARSE_ARGS_UNKNOWN_OPTION stack trace)', async () => {
    const io = fakeIo();
    assert.equal(await runCommand(FAKE, ['--bogus'], io), 2);
    assert.equal(io.err(), "shadowgate fake: unknown option --bogus\nusage: shadowgate fake [--level N] [--loud] [FILE]\nRun 'shadowgate fake --help' for details.\n");
  });

  test('a missing value, a value for a flag, and too many arguments are usage errors', async () => {
    const cases: [string[], string][] = [
      [['--level'], 'option --level needs a value (N)'],
      [['--loud=yes'], 'option --loud takes no value'],
      [['a', 'b'], 'unexpected argument(s) "b"'],
    ];
    for (const [argv, message] of cases) {
      const io = fakeIo();
      assert.equal(await runCommand(FAKE, argv, io), 2, argv.join(' '));
      assert.equal(io.err().split('\n')[0], `shadowgate fake: ${message}`);
    }
  });

  test('options and the argument reach run', async () => {
    ran.length = 0;
    assert.equal(await runCommand(FAKE, ['-l', '3', '--loud', 'f.yaml'], fakeIo()), 0);
    assert.deepEqual(ran, [{ values: { level: '3', loud: true }, positionals: ['f.yaml'] }]);
  });

  test('help lists arguments, options (with --help), environment and exit status', () => {
    const help = renderHelp(FAKE);
    for (const part of ['usage: shadowgate fake [--level N] [--loud] [FILE]', 'Does nothing.', '  FILE  a file', '-l, --level N', '    --loud', '-h, --help', 'environment:\n  FAKE_HOME  where', 'exit status:\n  0  always']) {
      assert.ok(help.includes(part), `${part}\n---\n${help}`);
    }
  });
});

describe('main', () => {
  test('every registered subcommand answers --help with its own help, exit 0', async () => {
    assert.ok(COMMANDS.length >= 3);
    for (const cmd of COMMANDS) {
      const io = fakeIo();
      assert.equal(await main([cmd.name, '--help'], io), 0, cmd.name);
      assert.ok(io.out().startsWith(`usage: shadowgate ${cmd.name}`), io.out());
      const viaHelp = fakeIo();
      assert.equal(await main(['help', cmd.name], viaHelp), 0);
      assert.equal(viaHelp.out(), io.out());
    }
  });

  test('every option of every subcommand is described in its help', () => {
    for (const cmd of COMMANDS) {
      const help = renderHelp(cmd);
      for (const name of Object.keys(cmd.options ?? {})) assert.ok(help.includes(`--${name}`), `${cmd.name} --${name}`);
      for (const name of Object.keys(cmd.env ?? {})) assert.ok(help.includes(name), `${cmd.name} ${name}`);
    }
  });

  test('serve and check-config name SHADOWGATE_CONFIG; demo names its port, host, token and log variables', () => {
    for (const name of ['serve', 'check-config']) assert.ok(renderHelp(COMMANDS.find((c) => c.name === name)!).includes('SHADOWGATE_CONFIG'));
    const demo = renderHelp(COMMANDS.find((c) => c.name === 'demo')!);
    for (const v of ['SHADOWGATE_PORT', 'SHADOWGATE_ADMIN_PORT', 'SHADOWGATE_HOST', 'SHADOWGATE_ADMIN_TOKEN', 'SHADOWGATE_LOG_LEVEL']) assert.ok(demo.includes(v), v);
  });

  test('README documents SHADOWGATE_CONFIG, every subcommand, and every demo option and variable', () => {
    const readme = readFileSync('README.md', 'utf8');
    assert.ok(readme.includes('SHADOWGATE_CONFIG'));
    for (const cmd of COMMANDS) assert.ok(readme.includes(`shadowgate ${cmd.name}`), cmd.name);
    const demo = COMMANDS.find((c) => c.name === 'demo')!;
    for (const name of Object.keys(demo.options ?? {})) assert.ok(readme.includes(`\`--${name}`), `--${name}`);
    for (const name of Object.keys(demo.env ?? {})) assert.ok(readme.includes(`\`${name}\``), name);
  });

  test('--help lists every command; no command or an unknown one is a usage error (exit 2)', async () => {
    const io = fakeIo();
    assert.equal(await main(['--help'], io), 0);
    for (const cmd of COMMANDS) assert.ok(io.out().includes(`  ${cmd.name} `), cmd.name);
    const none = fakeIo();
    assert.equal(await main([], none), 2);
    assert.ok(none.err().includes('usage: shadowgate COMMAND'));
    const unknown = fakeIo();
    assert.equal(await main(['frobnicate'], unknown), 2);
    assert.ok(unknown.err().startsWith('shadowgate: unknown command "frobnicate"\n'));
  });

  test('a new subcommand is one table entry away', async () => {
    const io = fakeIo();
    assert.equal(await main(['fake', '--help'], io, [...COMMANDS, FAKE]), 0);
    assert.equal(io.out(), renderHelp(FAKE));
    const top = fakeIo();
    await main(['--help'], top, [...COMMANDS, FAKE]);
    assert.ok(/^  fake +a command for tests$/m.test(top.out()), top.out());
  });
});
