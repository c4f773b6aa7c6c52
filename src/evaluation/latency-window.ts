// The last `capacity` durations of one upstream on one route, for readiness's p99 ratio:
// Prometheus histograms are too coarse for a ratio of two p99s, and scraping them back is
// not the proxy's job. O(1) per record; p99 sorts a copy on demand (readiness is read rarely).

export class LatencyWindow {
  private readonly ring: Float64Array;
  private next = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.ring = new Float64Array(capacity);
  }

  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Nearest-rank quantile (q in (0, 1]) over the window; null while empty. */
  quantile(q: number): number | null {
    if (this.size === 0) return null;
    const sorted = this.ring.slice(0, this.size).sort();
    return sorted[Math.min(this.size, Math.max(1, Math.ceil(q * this.size))) - 1]!;
  }
}
