import type { DifferenceCollector } from './differences.js';
import type { CapturedResponse } from './types.js';

export function compareStatus(legacy: CapturedResponse, agent: CapturedResponse, out: DifferenceCollector): void {
  if (legacy.status !== agent.status) out.add('status', 'status', 'status', legacy.status, agent.status);
}
