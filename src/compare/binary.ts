import { createHash } from 'node:crypto';
import type { DifferenceCollector } from './differences.js';

/** Byte equality; a difference names each side by length and a short digest, never the bytes. */
export function compareBinaryBodies(legacy: Buffer, agent: Buffer, out: DifferenceCollector): void {
  if (!legacy.equals(agent)) out.add('', 'body', 'changed', describe(legacy), describe(agent));
}

function describe(body: Buffer): string {
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return `${body.length} bytes, sha256 ${digest}…`;
}
