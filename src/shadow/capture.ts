// Bounded body capture: a per-body limit plus one byte budget shared by every in-flight
// shadow, so memory stays bounded however slow the agent is.

export class ByteBudget {
  used = 0;
  constructor(public limit: number) {}
  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

export type CaptureStop = 'limit' | 'budget';

export class BodyCapture {
  private chunks: Buffer[] = [];
  size = 0;
  stopped: CaptureStop | null = null;

  constructor(private readonly limit: number, private readonly budget: ByteBudget) {}

  /** Returns false once capture has stopped (limit or budget reached); the data still flows to its real destination. */
  push(chunk: Buffer): boolean {
    if (this.stopped) return false;
    if (this.size + chunk.length > this.limit) return this.stop('limit');
    if (!this.budget.tryReserve(chunk.length)) return this.stop('budget');
    this.chunks.push(chunk);
    this.size += chunk.length;
    return true;
  }

  private stop(reason: CaptureStop): false {
    this.stopped = reason;
    return false;
  }

  buffer(): Buffer {
    if (this.chunks.length === 1) return this.chunks[0]!;
    const buf = Buffer.concat(this.chunks, this.size);
    this.chunks = [buf];
    return buf;
  }

  /** Gives the bytes back to the shared budget; the capture is empty afterwards. */
  release(): void {
    this.budget.release(this.size);
    this.chunks = [];
    this.size = 0;
  }
}
