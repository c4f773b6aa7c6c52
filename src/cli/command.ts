// A subcommand as data: its options, arguments, environment and help text, and a run
// function. Parsing, --help and usage errors are handled here once, so every command
// behaves the same: `--help` prints its help (exit 0); an unknown option or a bad value
// prints one line, the usage and a pointer to --help (exit 2).
import { parseArgs } from 'node:util';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in help for a string option: FILE, S, N. */
  value?: string;
  description: string;
}

export interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface Invocation {
  values: Readonly<Record<string, string | boolean | undefined>>;
  positionals: readonly string[];
  io: Io;
  /** Prints `message`, the usage line and a pointer to --help on stderr; returns exit code 2. */
  usage(message: string): number;
}

export interface Command {
  name: string;
  /** One line for the command list in `shadowgate --help`. */
  summary: string;
  /** What follows the command name in the usage line, e.g. "[--config FILE | FILE]". */
  synopsis: string;
  /** Paragraphs shown under the usage line. */
  description: string;
  options?: Readonly<Record<string, OptionSpec>>;
  /** Positional arguments, in order; more than listed is a usage error unless the last is variadic. */
  arguments?: readonly { name: string; description: string; variadic?: boolean }[];
  /** Environment variables the command reads, with what each does. */
  env?: Readonly<Record<string, string>>;
  /** Exit status lines, e.g. "0  valid". */
  exitStatus?: readonly string[];
  run(call: Invocation): Promise<number>;
}

export const PROGRAM = 'shadowgate';

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help and exit' };

export function usageLine(cmd: Command): string {
  return `usage: ${PROGRAM} ${cmd.name}${cmd.synopsis ? ` ${cmd.synopsis}` : ''}`;
}

export function renderHelp(cmd: Command): string {
  const sections: string[] = [usageLine(cmd), '', cmd.description.trimEnd()];
  const table = (title: string, rows: [string, string][]) => {
    if (rows.length === 0) return;
    const width = Math.max(...rows.map(([left]) => left.length));
    sections.push('', `${title}:`, ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right.replace(/\n/g, `\n  ${' '.repeat(width)}  `)}`));
  };
  table('arguments', (cmd.arguments ?? []).map((a) => [a.name, a.description]));
  const options = { ...cmd.options, help: HELP_OPTION };
  table('options', Object.entries(options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`, o.description,
  ]));
  table('environment', Object.entries(cmd.env ?? {}));
  if (cmd.exitStatus && cmd.exitStatus.length > 0) sections.push('', 'exit status:', ...cmd.exitStatus.map((l) => `  ${l}`));
  return `${sections.join('\n')}\n`;
}

/** Parses `argv` (the words after the command name) and runs the command. */
export async function runCommand(cmd: Command, argv: readonly string[], io: Io): Promise<number> {
  const usage = (message: string) => {
    io.stderr.write(`${PROGRAM} ${cmd.name}: ${message}\n${usageLine(cmd)}\nRun '${PROGRAM} ${cmd.name} --help' for details.\n`);
    return EXIT.usage;
  };
  const beforeDashes = argv.indexOf('--') === -1 ? argv : argv.slice(0, argv.indexOf('--'));
  // --help wins over everything else on the line, even an option that is wrong.
  if (beforeDashes.includes('--help') || beforeDashes.includes('-h')) {
    io.stdout.write(renderHelp(cmd));
    return EXIT.ok;
  }
  const options = Object.fromEntries(Object.entries(cmd.options ?? {}).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]));
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (err) {
    return usage(describeParseError(err as Error & { code?: string }, cmd));
  }
  const max = cmd.arguments?.at(-1)?.variadic ? Number.POSITIVE_INFINITY : cmd.arguments?.length ?? 0;
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals.slice(max).map((p) => `"${p}"`).join(' ');
    return usage(max === 0 ? `takes no arguments, got ${extra}` : `unexpected argument(s) ${extra}`);
  }
  return cmd.run({ values: parsed.values, positionals: parsed.positionals, io, usage });
}

function describeParseError(err: Error & { code?: string }, cmd: Command): string {
  const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': return `unknown option ${quoted.split(' ')[0]}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = /--([\w-]+)/.exec(err.message)?.[1];
      const spec = name ? cmd.options?.[name] : undefined;
      if (spec?.type === 'boolean') return `option --${name} takes no value`;
      return name ? `option --${name} needs a value${spec?.value ? ` (${spec.value})` : ''}` : err.message.split('\n')[0]!;
    }
    default: return err.message.split('\n')[0]!;
  }
}

/** A positive number from a string option, or a usage error message. */
export function positiveNumber(value: string | boolean | undefined, option: string): number | string | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : `--${option}: expected a positive number, got "${value}"`;
}
