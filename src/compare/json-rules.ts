// The rules both JSON comparators apply (the structural walk in json.ts and the lockstep fast
// path in json-lockstep.ts), in one place so the fast path cannot drift from the walk.

/** Deeper nesting is reported rather than walked, so hostile input cannot overflow the stack. */
export const MAX_DEPTH = 500;

/** Numbers are equal when identical, or within `tolerance` relative to the larger magnitude. */
export function numbersEqual(a: number, b: number, tolerance: number): boolean {
  if (a === b) return true;
  return tolerance > 0 && Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
}
