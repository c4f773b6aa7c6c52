// Responses are compared (and shown) as content, not as transfer bytes: a gzip'd legacy
// answer and an identity-encoded agent answer with the same JSON agree. Decoding is bounded
// by the capture limit, so a compression bomb cannot blow up memory.
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

/** The decoded body, the body itself when not encoded, or null when it cannot be decoded within `max` bytes. */
export function decodeBody(body: Buffer, headers: Record<string, string | string[] | undefined>, max: number): Buffer | null {
  const raw = headers['content-encoding'];
  const encoding = (Array.isArray(raw) ? raw.join(',') : raw ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity' || body.length === 0) return body;
  const options = { maxOutputLength: Math.max(1, max) };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body, options);
    if (encoding === 'deflate') return inflateSync(body, options);
    if (encoding === 'br') return brotliDecompressSync(body, options);
  } catch {
    return null; // truncated, corrupt, or larger than max once decoded
  }
  return null; // stacked or unknown encodings are not judged
}
