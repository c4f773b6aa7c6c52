// `shadowgate demo` (what `npm start` runs): the sample services, the proxy and traffic.
import { resolve } from 'node:path';
import { createLogger, type LogFormat } from '../log.js';
import { runDemo } from '../demo/run.js';
import { EXIT, positiveNumber, type Command } from './command.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'sample legacy + sample agent + the proxy, with traffic and a live summary',
  synopsis: '[--duration S] [--ramp-every S] [--no-ramp] [--flags FILE] [--rps N] [--summary-every S]',
  description: `Starts a sample legacy service and a sample agent (it agrees most of the time, sometimes
differs, is sometimes slow, sometimes fails), the proxy in front of them on 127.0.0.1:8080
(admin and review page on 127.0.0.1:9090), generated traffic, and a summary line every few
seconds read from the admin API. The orders route is ramped 0 → 10 → 25 → 50 → 100 % of
users through its serve flag, in a copy of config/flags.json in a temp folder (removed at exit).
Ctrl-C stops it (a second Ctrl-C quits without draining).`,
  options: {
    duration: { type: 'string', value: 'S', description: 'stop after S seconds (default: run until Ctrl-C)' },
    'ramp-every': { type: 'string', value: 'S', description: 'seconds between ramp steps (default 20)' },
    'no-ramp': { type: 'boolean', description: 'do not ramp; orders stays at the flags file\'s rollout' },
    flags: { type: 'string', value: 'FILE', description: 'use this flags file instead of a copy of config/flags.json\n(the demo never writes it: no ramp, edit it by hand)' },
    rps: { type: 'string', value: 'N', description: 'generated requests per second (default 40)' },
    'summary-every': { type: 'string', value: 'S', description: 'seconds between summary lines (default 3)' },
  },
  env: {
    SHADOWGATE_PORT: 'proxy port (default 8080; 0 picks a free one)',
    SHADOWGATE_ADMIN_PORT: 'admin API and review page port (default 9090; 0 picks a free one)',
    SHADOWGATE_HOST: 'address both listen on (default 127.0.0.1; 0.0.0.0 to reach them from elsewhere)',
    SHADOWGATE_ADMIN_TOKEN: 'Bearer token for the admin API (default: none)',
    SHADOWGATE_LOG_LEVEL: `log level: ${LEVELS.join(', ')} (default warn); logs are readable lines on stderr`,
  },
  exitStatus: ['0  stopped (Ctrl-C, SIGTERM or --duration)', '1  could not start (e.g. a port in use)', '2  usage error'],
  async run(call) {
    const numbers: Record<string, number | undefined> = {};
    for (const name of ['duration', 'ramp-every', 'rps', 'summary-every']) {
      const n = positiveNumber(call.values[name], name);
      if (typeof n === 'string') return call.usage(n);
      numbers[name] = n;
    }
    const level = call.io.env.SHADOWGATE_LOG_LEVEL ?? 'warn';
    if (!(LEVELS as readonly string[]).includes(level)) return call.usage(`SHADOWGATE_LOG_LEVEL: expected one of ${LEVELS.join(', ')}, got "${level}"`);
    // Readable lines on stderr: the summary on stdout stays free of log records.
    const format: LogFormat = 'pretty';
    const log = createLogger(level as (typeof LEVELS)[number], process.stderr, format);
    const flags = call.values.flags as string | undefined;
    try {
      return await runDemo({
        durationS: numbers.duration,
        rampEveryS: numbers['ramp-every'] ?? 20,
        summaryEveryS: numbers['summary-every'] ?? 3,
        rps: numbers.rps ?? 40,
        ramp: call.values['no-ramp'] !== true,
        flagsFile: flags ? resolve(flags) : undefined,
      }, log, {
        out: (line) => call.io.stdout.write(`${line}\n`),
        err: (line) => call.io.stderr.write(`${line}\n`),
        env: call.io.env,
      });
    } catch (err) {
      call.io.stderr.write(`demo failed: ${(err as Error).message}\n`);
      return EXIT.failure;
    }
  },
};
