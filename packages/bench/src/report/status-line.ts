/** The stream a {@link StatusLine} draws on. */
export interface StatusStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const WIDTH = 24;
const REDRAW_MS = 100;

/**
 * A one-line progress bar on a terminal (`[██████░░░░] 7/19  60% label`), redrawn in place at most ten
 * times a second; draws nothing when the stream is not a TTY, so logs and pipes stay clean.
 */
export class StatusLine {
  private step = { index: 0, total: 0, label: '' };
  private fraction = 0;
  private drawnAt = 0;
  private readonly enabled: boolean;

  constructor(private readonly stream: StatusStream) {
    this.enabled = stream.isTTY === true;
  }

  /** A new measurement starts. */
  start(step: { index: number; total: number; label: string }): void {
    this.step = step;
    this.fraction = 0;
    this.draw(true);
  }

  /** How far the current measurement is (0..1). */
  progress(fraction: number): void {
    this.fraction = fraction;
    this.draw(false);
  }

  /** Erases the line. */
  done(): void {
    if (this.enabled) this.stream.write('\r\x1b[2K');
  }

  private draw(force: boolean): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.drawnAt < REDRAW_MS) return;
    this.drawnAt = now;
    const overall = this.step.total === 0 ? 0 : (this.step.index - 1 + Math.min(1, Math.max(0, this.fraction))) / this.step.total;
    const filled = Math.round(overall * WIDTH);
    const text = `[${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${this.step.index}/${this.step.total} ${String(Math.round(this.fraction * 100)).padStart(3)}% ${this.step.label}`;
    const columns = this.stream.columns ?? 120;
    this.stream.write(`\r\x1b[2K${text.length > columns - 1 ? `${text.slice(0, columns - 2)}…` : text}`);
  }
}
