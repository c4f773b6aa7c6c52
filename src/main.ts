#!/usr/bin/env node
// Entry point: the CLI (serve, check-config, demo), signals and an orderly drain.
import { parseArgs } from 'node:util';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { loadConfigFile } from './config/load.js';
import { ShadowgateError } from './errors.js';
import { createLogger } from './log.js';
import { startShadowgate } from './app.js';
import { runDemo } from './demo/run.js';
import { run as runReplay } from './cli/replay.js';
import { run as runReadiness } from './cli/readiness.js';

const USAGE = `usage:
  shadowgate serve --config FILE      run the proxy
  shadowgate check-config FILE        validate a config file (exit 0 valid, 1 invalid)
  shadowgate demo [--duration S] [--no-ramp] [--flags FILE]
                                      sample legacy + sample agent + proxy, with traffic
  shadowgate replay SUITE.jsonl [...] --agent URL [--config FILE] [--route NAME] [--concurrency N]
                  [--min-agreement 0.95] [--timeout-ms N] [--report out.json|out.html]
                                      replay golden suites against a candidate agent (exit 0/1/2)
  shadowgate readiness --admin URL --route NAME --level conditional|full
                                      is the route ready for the level? (exit 0 ready, 1 not, 2 error)
  shadowgate --version | --help`;

function version(): string {
  const pkg = JSON.parse(readFileSync(resolve(fileURLToPath(import.meta.url), '../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') { process.stdout.write(`${version()}\n`); return 0; }
  if (!command || command === '--help' || command === '-h' || command === 'help') { process.stdout.write(`${USAGE}\n`); return command ? 0 : 1; }

  if (command === 'replay') return runReplay(rest);
  if (command === 'readiness') return runReadiness(rest);

  if (command === 'check-config') {
    const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { config: { type: 'string' } } });
    const file = values.config ?? positionals[0];
    if (!file) { process.stderr.write(`check-config needs a FILE\n${USAGE}\n`); return 1; }
    try {
      const config = loadConfigFile(file);
      process.stdout.write(`${file}: valid (${config.routes.length} route(s): ${config.routes.map((r) => r.name).join(', ')})\n`);
      return 0;
    } catch (err) {
      process.stderr.write(`${err instanceof ShadowgateError ? err.message : String(err)}\n`);
      return 1;
    }
  }

  if (command === 'serve') {
    const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' } } });
    const file = values.config ?? process.env.SHADOWGATE_CONFIG;
    if (!file) { process.stderr.write(`serve needs --config FILE\n${USAGE}\n`); return 1; }
    let config;
    try {
      config = loadConfigFile(file);
    } catch (err) {
      process.stderr.write(`${err instanceof ShadowgateError ? err.message : String(err)}\n`);
      return 1;
    }
    const log = createLogger(config.log.level);
    let sg;
    try {
      sg = await startShadowgate(config, log);
    } catch (err) {
      log.fatal({ err: { message: (err as Error).message, code: (err as ShadowgateError).code } }, 'shadowgate failed to start');
      return 1;
    }
    await new Promise<void>((done) => {
      const stop = (signal: string) => { log.info({ signal }, 'draining'); done(); };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await sg.close();
    return 0;
  }

  if (command === 'demo') {
    const { values } = parseArgs({
      args: rest,
      options: { duration: { type: 'string' }, 'no-ramp': { type: 'boolean' }, flags: { type: 'string' }, 'ramp-every': { type: 'string' } },
    });
    const log = createLogger((process.env.SHADOWGATE_LOG_LEVEL as 'warn' | undefined) ?? 'warn');
    try {
      await runDemo({
        durationS: values.duration ? Number(values.duration) : undefined,
        rampEveryS: values['ramp-every'] ? Number(values['ramp-every']) : 20,
        summaryEveryS: 3, rps: 40, ramp: !values['no-ramp'],
        flagsFile: values.flags ? resolve(values.flags) : undefined,
      }, log);
    } catch (err) {
      process.stderr.write(`demo failed: ${(err as Error).message}\n`);
      return 1;
    }
    return 0;
  }

  process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
  return 1;
}

if (process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
