// Reads suite files back for replay: every line parsed and checked, errors naming the file and
// line; verdicts resolved so each case carries the one that counts.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { ShadowgateError } from '../errors.js';
import { isVerdictLine, suiteCaseSchema, verdictLineSchema, type SuiteCase, type Verdict, type VerdictLine } from './format.js';

export interface SuiteFileContent {
  file: string;
  cases: SuiteCase[];
  verdicts: VerdictLine[];
}

export async function readSuiteFile(file: string): Promise<SuiteFileContent> {
  const cases: SuiteCase[] = [];
  const verdicts: VerdictLine[] = [];
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => { stream.once('open', () => resolve()); stream.once('error', reject); });
  try {
    await opened;
  } catch (err) {
    throw new ShadowgateError('SG_SUITE_INVALID', `${file}: cannot read suite file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  let lineNo = 0;
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      lineNo++;
      if (line.trim() === '') continue;
      const fail = (why: string): never => { throw new ShadowgateError('SG_SUITE_INVALID', `${file}:${lineNo}: ${why}`); };
      let value: unknown;
      try { value = JSON.parse(line); } catch (err) { fail(`not valid JSON (${(err as Error).message})`); }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('expected a JSON object (a case or a verdict line)');
      if (isVerdictLine(value as object)) {
        const parsed = verdictLineSchema.safeParse(value);
        if (!parsed.success) fail(`invalid verdict line: ${describe(parsed.error)}`);
        verdicts.push(parsed.data!);
      } else {
        const parsed = suiteCaseSchema.safeParse(value);
        if (!parsed.success) fail(`invalid case: ${describe(parsed.error)}`);
        cases.push(parsed.data! as SuiteCase);
      }
    }
  } catch (err) {
    if (err instanceof ShadowgateError) throw err;
    throw new ShadowgateError('SG_SUITE_INVALID', `${file}:${lineNo + 1}: cannot read suite file (${(err as Error).message})`, { cause: err });
  } finally {
    stream.destroy();
  }
  return { file, cases, verdicts };
}

function describe(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(line)'}: ${i.message.replace(/^Invalid input: /, '')}`).join('; ');
}

export interface LoadedCase {
  case: SuiteCase;
  /** The verdict that counts: the latest verdict line for the id, else the case's own. */
  verdict: Verdict | null;
  file: string;
}

/**
 * Reads every file in order. A case's verdict is the verdict line for its id with the latest
 * `at` in any file (equal times: the one read last), else the verdict the case carries, so the
 * order files are named in does not change the result.
 */
export async function readSuites(files: readonly string[]): Promise<LoadedCase[]> {
  const contents: SuiteFileContent[] = [];
  for (const file of files) contents.push(await readSuiteFile(file));
  const latest = new Map<string, VerdictLine>();
  for (const { verdicts } of contents) {
    for (const v of verdicts) {
      const seen = latest.get(v.id);
      if (!seen || Date.parse(v.at) >= Date.parse(seen.at)) latest.set(v.id, v);
    }
  }
  return contents.flatMap(({ file, cases }) => cases.map((c) => ({ case: c, verdict: latest.get(c.id)?.verdict ?? c.verdict, file })));
}
