// Replay progress on stderr: a bar redrawn in place on a terminal, otherwise one plain line per
// 10 % so CI logs stay short and readable.

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class Progress {
  private done = 0;
  private lastDecile = 0;

  constructor(private readonly total: number, private readonly out: ProgressSink, private readonly width = 30) {}

  tick(): void {
    this.done++;
    const { done, total } = this;
    if (total === 0) return;
    if (this.out.isTTY) {
      const filled = Math.round((done / total) * this.width);
      this.out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${Math.floor((done / total) * 100)} % ${done}/${total}${done === total ? '\n' : ''}`);
      return;
    }
    const decile = Math.floor((done * 10) / total);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.out.write(`replay: ${decile * 10} % (${done}/${total} cases)\n`);
    }
  }
}
