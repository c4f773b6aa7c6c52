// Sampling decision: sticky per user when a user key is known (the same user is always in
// or out for a route, and raising the percentage only adds users), random otherwise.

/** FNV-1a 32-bit: fast, deterministic, good enough spread for bucketing. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Bucket in [0, 100) with 0.01 resolution. */
export function bucketOf(route: string, userKey: string): number {
  return (fnv1a(`${route}:${userKey}`) % 10_000) / 100;
}

export function shouldSample(percent: number, route: string, userKey: string | undefined, random: () => number = Math.random): boolean {
  if (percent >= 100) return true;
  if (percent <= 0) return false;
  const bucket = userKey === undefined ? random() * 100 : bucketOf(route, userKey);
  return bucket < percent;
}
