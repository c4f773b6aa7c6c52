// Which config file a command reads: --config, a FILE argument, or SHADOWGATE_CONFIG.
import type { Invocation } from './command.js';

export const CONFIG_ENV = 'SHADOWGATE_CONFIG';

/** The file, or the exit code of the usage error already printed. */
export function configFileOf(call: Invocation): string | number {
  const option = call.values.config as string | undefined;
  const positional = call.positionals[0];
  if (option !== undefined && positional !== undefined) return call.usage(`give the config file once (--config ${option} or ${positional}, not both)`);
  const file = option ?? positional ?? call.io.env[CONFIG_ENV];
  if (file === undefined || file === '') return call.usage(`needs a config file: FILE, --config FILE, or ${CONFIG_ENV}`);
  return file;
}
