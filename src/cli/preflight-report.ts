// How check-config and serve print what preflight found.
import { formatProblems } from '../config/problems.js';
import type { Preflight } from '../config/preflight.js';
import { ShadowgateError } from '../errors.js';
import type { Io } from './command.js';

/** Runs `check`; on a read error or any problem prints it on stderr and returns null. */
export async function preflightOrReport(check: () => Promise<Preflight>, io: Io): Promise<Preflight | null> {
  let report: Preflight;
  try {
    report = await check();
  } catch (err) {
    io.stderr.write(`${err instanceof ShadowgateError ? err.message : String(err)}\n`);
    return null;
  }
  if (report.problems.length > 0) {
    io.stderr.write(`${formatProblems(report.source, report.problems)}\n`);
    return null;
  }
  return report;
}
