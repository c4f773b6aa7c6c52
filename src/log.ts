import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

// Header names whose values must never reach a log line, wherever they appear.
const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie', 'token', '*.token',
];

export interface LoggerOptions {
  /** Applied to every argument of every log call (redact.patterns: Redactor.patterns.value). */
  mask?: (value: unknown) => unknown;
}

export function createLogger(level: LevelWithSilent = 'info', destination?: NodeJS.WritableStream, options: LoggerOptions = {}): Logger {
  const { mask } = options;
  const base = { level, base: { service: 'shadowgate' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  // logMethod runs only for enabled levels, so a disabled debug line costs no masking.
  const config = mask ? { ...base, hooks: { logMethod(this: Logger, args: Parameters<pino.LogFn>, method: pino.LogFn) { return method.apply(this, args.map(mask) as Parameters<pino.LogFn>); } } } : base;
  return destination ? pino(config, destination as pino.DestinationStream) : pino(config);
}
