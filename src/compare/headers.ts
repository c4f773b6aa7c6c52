// Configured response headers. Content-Type is compared as a media type (see media-type.ts);
// every other header by its trimmed value, repeated headers joined with ', ' in arrival order.

import type { DifferenceCollector } from './differences.js';
import { canonicalContentType, headerValue } from './media-type.js';
import type { CapturedResponse } from './types.js';

/** Lower-cases and de-duplicates the configured names once, when the comparator is built. */
export function compileHeaderNames(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => name.trim().toLowerCase()).filter((name) => name !== ''))];
}

export function compareHeaders(
  legacy: CapturedResponse,
  agent: CapturedResponse,
  names: readonly string[],
  out: DifferenceCollector,
): void {
  for (const name of names) {
    const legacyValue = headerValue(legacy.headers, name)?.trim();
    const agentValue = headerValue(agent.headers, name)?.trim();
    if (headerValuesEqual(name, legacyValue, agentValue)) continue;
    if (out.add(`header:${name}`, `header:${name}`, 'header', legacyValue, agentValue)) return;
  }
}

function headerValuesEqual(name: string, legacy: string | undefined, agent: string | undefined): boolean {
  if (legacy === agent) return true;
  if (legacy === undefined || agent === undefined) return false;
  return name === 'content-type' && canonicalContentType(legacy) === canonicalContentType(agent);
}
