// `shadowgate serve`: preflight (the same checks as check-config), then the proxy until
// SIGTERM/SIGINT, then an orderly drain.
import { preflight } from '../config/preflight.js';
import { createLogger, defaultLogFormat } from '../log.js';
import { compileRedactPatterns } from '../store/redact-patterns.js';
import { startShadowgate } from '../app.js';
import { EXIT, type Command } from './command.js';
import { CONFIG_ENV, configFileOf } from './config-file.js';
import { preflightOrReport } from './preflight-report.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the proxy (after the same checks as check-config)',
  synopsis: '[--config FILE | FILE]',
  description: `Checks the config file exactly as check-config does (schema, flags file, compare options and
plug-ins, gate schemas and plug-ins) and exits 1 listing every problem; otherwise logs any
route warnings, starts the data plane (server.port) and the admin API (admin.port), and runs
until SIGTERM or SIGINT, then drains (see README "Lifecycle") and exits 0; a second signal
exits at once. The config file is watched and re-read on SIGHUP: a valid change applies to
new requests without a restart; an invalid one is logged and the config in force stays.
Logs go to stdout: log.format pretty or json (default: pretty on a terminal, json otherwise).
The config file may reference environment variables as \${VAR} or \${VAR:-default}.`,
  arguments: [{ name: 'FILE', description: 'the config file (YAML), same as --config' }],
  options: { config: { type: 'string', short: 'c', value: 'FILE', description: 'the config file (YAML)' } },
  env: {
    [CONFIG_ENV]: 'config file used when neither FILE nor --config is given',
  },
  exitStatus: ['0  stopped by SIGTERM/SIGINT after draining', '1  the config has problems, or start-up failed', '2  usage error', '130/143  a second SIGINT/SIGTERM during the drain'],
  async run(call) {
    const file = configFileOf(call);
    if (typeof file === 'number') return file;
    const report = await preflightOrReport(() => preflight(file, call.io.env), call.io);
    if (report === null || report.config === null) return EXIT.failure;
    const config = report.config;
    // redact.patterns mask every log line too (as at start: a reload does not change the logger's).
    const log = createLogger(config.log.level, undefined, config.log.format ?? defaultLogFormat(call.io.stdout), config.redact.patterns.length > 0 ? { mask: compileRedactPatterns(config.redact.patterns).value } : {});
    for (const w of report.warnings) log.warn({ route: w.route, kind: w.kind }, w.message);
    // Listening for the stop signal before starting: a SIGTERM right after "shadowgate started"
    // (the line a supervisor or a test waits for) must drain, not kill the process.
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    let stop: (signal: NodeJS.Signals) => void = () => {};
    const stopped = new Promise<NodeJS.Signals>((done) => { stop = done; });
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    let sg;
    try {
      sg = await startShadowgate(config, log, { configFile: file, env: call.io.env });
    } catch (err) {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      const e = err as Error & { code?: string; port?: number };
      const hint = e.code === 'EADDRINUSE' || e.code === 'EACCES'
        ? `port ${e.port ?? '?'} ${e.code === 'EADDRINUSE' ? 'is in use' : 'needs privileges'}: set server.port / admin.port to a free port (0 picks one)`
        : undefined;
      log.fatal({ err: { message: e.message, code: e.code }, ...(hint ? { hint } : {}) }, 'shadowgate failed to start');
      return EXIT.failure;
    }
    const started = sg;
    // Last resort: an exception that escaped every request's own guard (node routes unhandled
    // rejections here too) is counted and logged — its name, code, message and stack, never
    // request data, at most 10 lines a minute so a repeatable hostile input cannot flood the
    // logs — and the other connections keep being served (node allows it here).
    let logged = 0;
    let windowStart = Date.now();
    const onUncaught = (err: Error, origin: string) => {
      started.metrics.internalErrors.inc({ where: 'uncaught' });
      if (Date.now() - windowStart > 60_000) { windowStart = Date.now(); logged = 0; }
      if (++logged > 10) return;
      log.error({ origin, err: { name: err?.name, code: (err as NodeJS.ErrnoException)?.code, message: err?.message, stack: err?.stack } }, 'uncaught exception; the process keeps serving');
    };
    process.on('uncaughtException', onUncaught);
    const onHup = () => { log.info({ signal: 'SIGHUP' }, 'reloading the config'); void started.reload(); };
    process.on('SIGHUP', onHup);
    const signal = await stopped;
    // A second signal while draining: stop at once.
    const now = (again: NodeJS.Signals) => {
      log.warn({ signal: again }, 'second signal during the drain: exiting now');
      process.exit(again === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGTERM', () => now('SIGTERM'));
    process.once('SIGINT', () => now('SIGINT'));
    log.info({ signal }, 'draining');
    await sg.drain();
    process.off('SIGHUP', onHup);
    process.off('uncaughtException', onUncaught);
    return EXIT.ok;
  },
};
