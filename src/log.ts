// The logger: pino, JSON lines for machines or one readable line per event for a terminal
// (log.format). Redaction happens inside pino before either format sees the event, so a
// secret cannot reach the pretty output by a path the JSON output would not take.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export type LogFormat = 'pretty' | 'json';

// Header names whose values must never reach a log line, wherever they appear.
const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie', 'token', '*.token',
];

/** log.format when the config leaves it out: pretty for a person at a terminal, JSON for a collector. */
export function defaultLogFormat(stream: { isTTY?: boolean } = process.stdout): LogFormat {
  return stream.isTTY ? 'pretty' : 'json';
}

export interface LoggerOptions {
  /** Applied to every argument of every log call (redact.patterns: Redactor.patterns.value). */
  mask?: (value: unknown) => unknown;
}

export function createLogger(level: LevelWithSilent = 'info', destination?: NodeJS.WritableStream, format: LogFormat = 'json', extra: LoggerOptions = {}): Logger {
  const { mask } = extra;
  const base = { level, base: { service: 'shadowgate' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  // logMethod runs only for enabled levels, so a disabled debug line costs no masking.
  const options = mask ? { ...base, hooks: { logMethod(this: Logger, args: Parameters<pino.LogFn>, method: pino.LogFn) { return method.apply(this, args.map(mask) as Parameters<pino.LogFn>); } } } : base;
  if (format === 'pretty') return pino(options, prettyDestination(destination ?? process.stdout));
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

/** A pino destination that turns each JSON line into a readable one before writing it. */
export function prettyDestination(out: NodeJS.WritableStream & { isTTY?: boolean }, color = Boolean(out.isTTY) && !process.env.NO_COLOR): pino.DestinationStream {
  return { write: (line: string) => { out.write(formatPretty(line, color)); } };
}

const LEVELS: Record<number, { name: string; color: string }> = {
  10: { name: 'TRACE', color: '90' }, 20: { name: 'DEBUG', color: '36' }, 30: { name: 'INFO', color: '32' },
  40: { name: 'WARN', color: '33' }, 50: { name: 'ERROR', color: '31' }, 60: { name: 'FATAL', color: '1;31' },
};
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'err']);

/** `12:00:03.123 WARN  route demoted route=orders reason=agreement`, with an error's message and stack. */
export function formatPretty(line: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const paint = (code: string, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const level = LEVELS[entry.level as number] ?? { name: String(entry.level), color: '0' };
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const fields = Object.entries(entry).filter(([k, v]) => !OMIT.has(k) && v !== undefined).map(([k, v]) => `${paint('2', `${k}=`)}${fieldValue(v)}`);
  const err = entry.err as { message?: unknown; code?: unknown; stack?: unknown } | undefined;
  if (err && typeof err === 'object') {
    if (err.code !== undefined) fields.push(`${paint('2', 'code=')}${fieldValue(err.code)}`);
    if (err.message !== undefined) fields.push(`${paint('2', 'error=')}${fieldValue(err.message)}`);
  }
  const head = `${paint('90', time)} ${paint(level.color, level.name.padEnd(5))} ${String(entry.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}`;
  const stack = err && typeof err.stack === 'string' && (entry.level as number) >= 50 ? `\n${err.stack.split('\n').slice(1).map((l) => `    ${l.trim()}`).join('\n')}` : '';
  return `${head}${stack}\n`;
}

function fieldValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}
