// `shadowgate check-config`: everything serve would refuse, without starting anything.
import { preflight, type Preflight } from '../config/preflight.js';
import { EXIT, type Command } from './command.js';
import { CONFIG_ENV, configFileOf } from './config-file.js';
import { preflightOrReport } from './preflight-report.js';

export const checkConfigCommand: Command = {
  name: 'check-config',
  summary: 'check a config file as serve would, without starting anything',
  synopsis: '[--strict] [--config FILE | FILE]',
  description: `Runs every check serve runs before it starts: the schema (unknown keys, types, ranges,
route patterns), every \${VAR} reference, the flags file, compare options and plug-ins,
gate JSON schemas and gate plug-ins (plug-ins are imported, so their top-level code runs).
Lists every problem at once on stderr, each with its key path and line. Also prints
warnings for routes that are valid but will not do what they say (a flag missing from the
flags file, a route that an earlier route shadows).`,
  arguments: [{ name: 'FILE', description: 'the config file (YAML), same as --config' }],
  options: {
    config: { type: 'string', short: 'c', value: 'FILE', description: 'the config file (YAML)' },
    strict: { type: 'boolean', description: 'treat warnings as problems (exit 1)' },
  },
  env: { [CONFIG_ENV]: 'config file used when neither FILE nor --config is given' },
  exitStatus: ['0  valid (warnings, if any, on stderr)', '1  problems found (or warnings, with --strict)', '2  usage error'],
  async run(call) {
    const file = configFileOf(call);
    if (typeof file === 'number') return file;
    const report = await preflightOrReport(() => preflight(file, call.io.env), call.io);
    if (report === null || report.config === null) return EXIT.failure;
    for (const w of report.warnings) call.io.stderr.write(`warning: ${w.message}\n`);
    const strictFail = call.values.strict === true && report.warnings.length > 0;
    const config = report.config;
    const verdict = strictFail ? `invalid with --strict: ${report.warnings.length} warning(s)` : 'valid';
    call.io.stdout.write(`${file}: ${verdict} (${config.routes.length} route(s): ${config.routes.map((r) => r.name).join(', ')})\n`);
    call.io.stdout.write(`  checked: ${checked(report).join(', ')}\n`);
    return strictFail ? EXIT.failure : EXIT.ok;
  },
};

/** What was verified beyond the schema, so a CI log shows the deeper checks ran. */
function checked(report: Preflight): string[] {
  const config = report.config!;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const parts = ['schema'];
  if (report.loaded.flags) parts.push(`flags file (${count(report.loaded.flags.features.length, 'flag')})`);
  const plugins = config.routes.filter((r) => r.compare.plugin).length + config.routes.filter((r) => r.serve.gates.plugin).length;
  const schemas = config.routes.filter((r) => r.serve.gates.schema).length;
  if (plugins > 0) parts.push(count(plugins, 'plug-in'));
  if (schemas > 0) parts.push(count(schemas, 'gate schema'));
  return parts;
}
