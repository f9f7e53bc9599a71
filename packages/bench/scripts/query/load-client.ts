import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

/** What a load run measured: latency percentiles (ms), requests per second, failures. */
export interface LoadResult {
  readonly p50: number;
  readonly p99: number;
  readonly requestsPerSecond: number;
  readonly errors: number;
  readonly non2xx: number;
}

/** The HTTP load generators the benchmark can drive: autocannon (in this process) or wrk (a C program, its own process). */
export type LoadClient = 'autocannon' | 'wrk';

interface AutocannonResult {
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly requests: { readonly average: number };
  readonly errors: number;
  readonly non2xx: number;
  readonly timeouts: number;
}
type Autocannon = (options: { url: string; connections: number; duration: number }) => Promise<AutocannonResult>;

const MS_PER_UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** A wrk duration (`812.00us`, `45.30ms`, `1.53s`) in ms. */
function wrkMs(text: string | undefined): number {
  const match = /^([\d.]+)(us|ms|s|m)$/u.exec(text ?? '');
  return match === null ? Number.NaN : Number(match[1]) * (MS_PER_UNIT[match[2] ?? 'ms'] ?? 1);
}

/** The figures of `wrk --latency` output. */
export function parseWrkOutput(output: string): LoadResult {
  const percentile = (p: number): number => wrkMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'mu').exec(output)?.[1]);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/u.exec(output);
  return {
    p50: percentile(50),
    p99: percentile(99),
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/u.exec(output)?.[1] ?? Number.NaN),
    errors: socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, count) => sum + Number(count), 0),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/u.exec(output)?.[1] ?? 0),
  };
}

/** `connections` keep-alive connections asking `url` again and again for `seconds`. */
export async function runLoad(client: LoadClient, url: string, connections: number, seconds: number): Promise<LoadResult> {
  if (client === 'wrk') {
    const { stdout } = await promisify(execFile)('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
    return parseWrkOutput(stdout);
  }
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const result = await autocannon({ url, connections, duration: seconds });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    requestsPerSecond: result.requests.average,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
