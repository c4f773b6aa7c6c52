// suites/ owns golden suites: regression cases recorded from live traffic as JSON lines
// (this file: the line format), written off the request path with rotation, and read back
// for `shadowgate replay`. One line is a case or a verdict on a case.
import { z } from 'zod';
import { VERDICTS, type Verdict } from '../admin/review.js';

export type { Verdict };
export type BodyEncoding = 'utf8' | 'base64';
export type SuiteHeaders = Record<string, string | string[]>;

export interface SuiteRequest {
  method: string;
  path: string;
  /** The raw query string without "?", or "". */
  query: string;
  /** Lower-case names; redacted headers are absent. */
  headers: SuiteHeaders;
  body: string;
  bodyEncoding: BodyEncoding;
}

export interface SuiteResponse {
  status: number;
  headers: SuiteHeaders;
  /** The content-decoded body (no content-encoding), as compared. */
  body: string;
  bodyEncoding: BodyEncoding;
}

export interface SuiteCase {
  id: string;
  route: string;
  /** ISO 8601. */
  recordedAt: string;
  request: SuiteRequest;
  expected: SuiteResponse;
  agent: SuiteResponse | null;
  result: string;
  verdict: Verdict | null;
}

export interface VerdictLine {
  id: string;
  verdict: Verdict;
  /** ISO 8601. */
  at: string;
}

const headers = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
const encoding = z.enum(['utf8', 'base64']);
const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time');
const response = z.object({ status: z.number().int().min(100).max(599), headers, body: z.string(), bodyEncoding: encoding });

export const suiteCaseSchema = z.object({
  id: z.string().min(1),
  route: z.string().min(1),
  recordedAt: isoTime,
  request: z.object({
    method: z.string().min(1),
    path: z.string().startsWith('/', 'expected a path starting with "/"'),
    query: z.string(),
    headers,
    body: z.string(),
    bodyEncoding: encoding,
  }),
  expected: response,
  agent: response.nullable(),
  result: z.string().min(1),
  verdict: z.enum(VERDICTS).nullable().default(null),
});

export const verdictLineSchema = z.object({ id: z.string().min(1), verdict: z.enum(VERDICTS), at: isoTime });

/** A case and a verdict line are told apart by the request a case carries. */
export function isVerdictLine(value: object): boolean {
  return !('request' in value) && 'verdict' in value;
}

export function decodeBody(body: string, encoding: BodyEncoding): Buffer {
  return Buffer.from(body, encoding === 'base64' ? 'base64' : 'utf8');
}
