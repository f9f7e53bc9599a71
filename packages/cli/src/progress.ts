import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import type { CliIo } from './io.js';

/** What a progress report counts: bytes read of a file, or messages of a known total. */
export type ProgressUnit = 'bytes' | 'messages';

/** A progress report on stderr for work of a known size; see {@link startProgress}. */
export interface Progress {
  /** Reports `done` units of the total so far; `detail` follows the figures. Rate-limited on a terminal. */
  update(done: number, detail?: string): void;
  /** Ends the report (a terminal's line is cleared for the summary that follows). */
  finish(): void;
}

/** Whether to show progress: on a terminal, or everywhere with `--progress`; never with `--no-progress`. */
export function wantsProgress(io: CliIo, flag: boolean | undefined): boolean {
  return flag ?? (io.stderr as { isTTY?: boolean }).isTTY === true;
}

function amount(value: number, unit: ProgressUnit): string {
  if (unit === 'messages') return value.toLocaleString('en-US');
  if (value < 1024 * 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${(value / 1024 / 1024).toFixed(1)} MiB`;
}

function duration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/**
 * One progress line: `label: 45% (12.3 of 27.1 MiB), ETA 0:12 — detail`. The ETA is the time left at
 * the rate so far; it appears once a little work is done.
 */
export function progressLine(label: string, done: number, total: number, unit: ProgressUnit, elapsedMs: number, detail?: string): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const percent = `${Math.floor(fraction * 100)}%`;
  const eta = fraction > 0 && fraction < 1 && elapsedMs > 0 ? `, ETA ${duration(((elapsedMs / fraction) * (1 - fraction)) / 1000)}` : '';
  return `${label}: ${percent} (${amount(done, unit)} of ${amount(total, unit)})${eta}${detail === undefined ? '' : ` — ${detail}`}`;
}

/**
 * Starts a progress report for `total` units: on a terminal one line rewritten in place (at most every
 * `intervalMs`), elsewhere (with `--progress`) a line at every tenth of the work.
 */
export function startProgress(io: CliIo, label: string, total: number, unit: ProgressUnit, options: { now?: () => number; intervalMs?: number } = {}): Progress {
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 250;
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  const started = now();
  let last = -Infinity;
  let lastTenth = 0;
  let drawn = false;
  return {
    update(done, detail) {
      const at = now();
      const line = (): string => progressLine(label, done, total, unit, at - started, detail);
      if (tty) {
        if (at - last < interval) return;
        last = at;
        drawn = true;
        io.stderr.write(`\r\u001b[K${line()}`);
        return;
      }
      const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (tenth > lastTenth && tenth < 10) {
        lastTenth = tenth;
        io.stderr.write(`${line()}\n`);
      }
    },
    finish() {
      if (tty && drawn) io.stderr.write('\r\u001b[K');
    },
  };
}

/** `file` as a stream that counts the bytes read from it into `counted.bytes`. */
export function countingStream(file: string, counted: { bytes: number }): Readable {
  const source = createReadStream(file);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counted.bytes += chunk.length;
      done(null, chunk);
    },
  });
  // pipe() does not pass errors on: a file that cannot be read must fail the reader, not leave it waiting.
  source.on('error', (error) => counter.destroy(error));
  return source.pipe(counter);
}
