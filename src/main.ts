#!/usr/bin/env node
// Entry point: the CLI. Each subcommand is one entry in COMMANDS (src/cli/*.ts): its
// options, arguments, environment and help text live beside its run function, and
// src/cli/command.ts gives all of them the same --help, usage errors and exit codes.
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { EXIT, PROGRAM, runCommand, type Command, type Io } from './cli/command.js';
import { serveCommand } from './cli/serve.js';
import { checkConfigCommand } from './cli/check-config.js';
import { demoCommand } from './cli/demo.js';
import { replayCommand } from './cli/replay.js';
import { readinessCommand } from './cli/readiness.js';

/** To add a subcommand: write a Command in src/cli/NAME.ts and list it here. */
export const COMMANDS: readonly Command[] = [serveCommand, checkConfigCommand, demoCommand, replayCommand, readinessCommand];

function version(): string {
  const pkg = JSON.parse(readFileSync(resolve(fileURLToPath(import.meta.url), '../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function renderUsage(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length), 'help COMMAND'.length, '-v, --version'.length);
  return [
    `${PROGRAM}: shadow a legacy HTTP service with an AI agent, compare the answers, ramp traffic to the agent`,
    '',
    `usage: ${PROGRAM} COMMAND [options]`,
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help COMMAND'.padEnd(width)}  show a command's help (same as COMMAND --help)`,
    '',
    'options:',
    `  ${'-h, --help'.padEnd(width)}  show this help`,
    `  ${'-v, --version'.padEnd(width)}  print the version`,
    '',
    `Run '${PROGRAM} COMMAND --help' for a command's options and environment variables.`,
    '',
  ].join('\n');
}

const defaultIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

export async function main(argv: readonly string[], io: Io = defaultIo(), commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  const find = (n: string | undefined) => commands.find((c) => c.name === n);
  if (name === '--version' || name === '-v') { io.stdout.write(`${version()}\n`); return EXIT.ok; }
  if (name === '--help' || name === '-h') { io.stdout.write(renderUsage(commands)); return EXIT.ok; }
  if (name === 'help') {
    if (rest[0] === undefined) { io.stdout.write(renderUsage(commands)); return EXIT.ok; }
    const cmd = find(rest[0]);
    if (cmd) return runCommand(cmd, ['--help'], io);
    io.stderr.write(`${PROGRAM}: unknown command "${rest[0]}"\n${renderUsage(commands)}`);
    return EXIT.usage;
  }
  if (name === undefined) { io.stderr.write(renderUsage(commands)); return EXIT.usage; }
  const cmd = find(name);
  if (!cmd) {
    io.stderr.write(`${PROGRAM}: unknown command "${name}"\n${renderUsage(commands)}`);
    return EXIT.usage;
  }
  return runCommand(cmd, rest, io);
}

if (process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(fileURLToPath(import.meta.url))) {
  const exit = (code: number) => {
    process.exitCode = code;
    // The command is done: whatever is still open now (a listener a failed start left
    // behind) must not keep the process alive. Unref'd, so a clean exit is not delayed.
    setTimeout(() => process.exit(code), 1000).unref();
  };
  main(process.argv.slice(2)).then(exit, (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    exit(EXIT.failure);
  });
}
