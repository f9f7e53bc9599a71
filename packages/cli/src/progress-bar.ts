/** Formats seconds as `1h02m03s`, `2m03s` or `3s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(rest).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

/**
 * A progress bar with an ETA on a stream: redrawn in place on a terminal, a line every tenth of the way otherwise
 * (so that a log keeps a few lines, not thousands).
 */
export class ProgressBar {
  private readonly started: number;
  private lastTenth = -1;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly label: string,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  private get tty(): boolean {
    return (this.stream as { isTTY?: boolean }).isTTY === true;
  }

  update(done: number, total: number): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const elapsed = (this.now() - this.started) / 1000;
    const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : Number.NaN;
    const rate = elapsed > 0 ? Math.round(done / elapsed) : 0;
    const text = `${this.label} ${(fraction * 100).toFixed(1).padStart(5)}% ${done}/${total} ${rate}/s ETA ${Number.isFinite(eta) ? formatDuration(eta) : '?'}`;
    if (this.tty) {
      const width = 24;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\u001b[K`);
      this.drawn = true;
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${text}\n`);
    }
  }

  /** Ends the bar's line with a summary. */
  finish(summary: string): void {
    this.stream.write(`${this.drawn ? '\r\u001b[K' : ''}${summary}\n`);
  }
}
