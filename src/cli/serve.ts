// `shadowgate serve`: preflight (the same checks as check-config), then the proxy until
// SIGTERM/SIGINT, then an orderly drain.
import { preflight } from '../config/preflight.js';
import { createLogger, defaultLogFormat } from '../log.js';
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
until SIGTERM or SIGINT, then drains in-flight shadow calls and exits 0.
Logs go to stdout: log.format pretty or json (default: pretty on a terminal, json otherwise).
The config file may reference environment variables as \${VAR} or \${VAR:-default}.`,
  arguments: [{ name: 'FILE', description: 'the config file (YAML), same as --config' }],
  options: { config: { type: 'string', short: 'c', value: 'FILE', description: 'the config file (YAML)' } },
  env: {
    [CONFIG_ENV]: 'config file used when neither FILE nor --config is given',
  },
  exitStatus: ['0  stopped by SIGTERM/SIGINT after draining', '1  the config has problems, or start-up failed', '2  usage error'],
  async run(call) {
    const file = configFileOf(call);
    if (typeof file === 'number') return file;
    const report = await preflightOrReport(() => preflight(file, call.io.env), call.io);
    if (report === null || report.config === null) return EXIT.failure;
    const config = report.config;
    const log = createLogger(config.log.level, undefined, config.log.format ?? defaultLogFormat(call.io.stdout));
    for (const w of report.warnings) log.warn({ route: w.route, kind: w.kind }, w.message);
    let sg;
    try {
      sg = await startShadowgate(config, log);
    } catch (err) {
      const e = err as Error & { code?: string; port?: number };
      const hint = e.code === 'EADDRINUSE' || e.code === 'EACCES'
        ? `port ${e.port ?? '?'} ${e.code === 'EADDRINUSE' ? 'is in use' : 'needs privileges'}: set server.port / admin.port to a free port (0 picks one)`
        : undefined;
      log.fatal({ err: { message: e.message, code: e.code }, ...(hint ? { hint } : {}) }, 'shadowgate failed to start');
      return EXIT.failure;
    }
    await new Promise<void>((done) => {
      const stop = (signal: string) => { log.info({ signal }, 'draining'); done(); };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await sg.close();
    return EXIT.ok;
  },
};
