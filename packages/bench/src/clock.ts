/**
 * Milliseconds on the system-wide monotonic clock (CLOCK_MONOTONIC on Linux), so that a stamp taken in
 * one process can be subtracted from `now()` in another on the same machine.
 */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
