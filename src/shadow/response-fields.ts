// Reading a field out of an upstream answer: a response header or a JSON Pointer into its
// (content-decoded) body, parsed once and only if a pointer asks for it. Gates and the
// agent's self-report both read the agent's answer this way.
import { parsePointer } from '../compare/pointer.js';
import { decodeBody } from './decode.js';

export type FieldSource = { header: string } | { pointer: string };
export interface ResponseLike { headers: Record<string, string | string[] | undefined>; body: Buffer }

export function valueAt(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const seg of parsePointer(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** A finite number from a number or numeric string; undefined otherwise. */
export function toNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export class ResponseFields {
  private parsed: unknown;
  private error: string | null | undefined; // undefined: not parsed yet

  constructor(private readonly res: ResponseLike) {}

  /** The body as JSON (decoded first, bounded); undefined when it is not JSON. */
  json(): unknown {
    if (this.error === undefined) {
      // Decoded size bound: generous for real answers, small enough to stop a compression bomb.
      const body = decodeBody(this.res.body, this.res.headers, Math.max(this.res.body.length * 20, 1 << 20));
      if (body === null) this.error = 'body could not be decoded (content-encoding)';
      else {
        try { this.parsed = JSON.parse(body.toString('utf8')); this.error = null; } catch (err) { this.error = (err as Error).message; }
      }
    }
    return this.parsed;
  }

  /** Why json() is undefined, or null when the body parsed. */
  get parseError(): string | null {
    this.json();
    return this.error ?? null;
  }

  read(source: FieldSource | undefined): unknown {
    if (!source) return undefined;
    if ('header' in source) {
      const h = this.res.headers[source.header];
      return Array.isArray(h) ? h[0] : h;
    }
    return valueAt(this.json(), source.pointer);
  }

  number(source: FieldSource | undefined): number | undefined {
    return toNumber(this.read(source));
  }
}
