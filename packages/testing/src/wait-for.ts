/** Default wait before {@link waitFor} gives up. */
export const DEFAULT_WAIT_TIMEOUT_MS = 10_000;

/**
 * Polls `predicate` until it returns a truthy value (or a promise of one) and returns that value.
 * Use it instead of sleeping: it is as fast as the condition allows and fails with `message` when the
 * condition never holds.
 *
 * @throws {Error} after `timeoutMs`, with `message` and the last error thrown by the predicate.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const intervalMs = options.intervalMs ?? 5;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value !== undefined && value !== null && value !== false && value !== 0 && value !== '') return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = options.message ?? 'condition';
      throw new Error(`waitFor: ${why} did not hold within ${timeoutMs} ms`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
