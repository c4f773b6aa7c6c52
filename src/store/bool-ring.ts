// Fixed-size ring of booleans with running counts: O(1) per push, memory bounded by capacity.
// The guardrail's windows and a route's agent share of traffic are this.

/** Ring of booleans with a running count of `true`. */
export class BoolRing {
  private readonly ring: (boolean | undefined)[];
  private next = 0;
  size = 0;
  trues = 0;
  constructor(readonly capacity: number) { this.ring = new Array(capacity); }
  push(v: boolean): void {
    const old = this.ring[this.next];
    if (old !== undefined) { this.size--; if (old) this.trues--; }
    this.ring[this.next] = v;
    this.size++;
    if (v) this.trues++;
    this.next = (this.next + 1) % this.capacity;
  }
  clear(): void { this.ring.fill(undefined); this.next = 0; this.size = 0; this.trues = 0; }
  /** Oldest first. */
  values(): boolean[] {
    const out: boolean[] = [];
    for (let i = 0; i < this.capacity; i++) {
      const v = this.ring[(this.next + i) % this.capacity];
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  /** A ring of another capacity holding the newest entries of this one (config reload). */
  resized(capacity: number): BoolRing {
    const next = new BoolRing(capacity);
    for (const v of this.values().slice(-capacity)) next.push(v);
    return next;
  }
}
