import { describe, expect, it } from 'vitest';
import { parseWrkOutput } from './load-client.js';

const OUTPUT = `Running 8s test @ http://127.0.0.1:18081/raw
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    11.62ms    5.01ms  61.30ms   88.12%
    Req/Sec     4.61k   312.11     5.02k    80.00%
  Latency Distribution
     50%   10.58ms
     75%   12.90ms
     90%   16.02ms
     99%    1.02s
  36695 requests in 8.00s, 477.92MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:   4586.93
Transfer/sec:     59.73MB
`;

describe(parseWrkOutput, () => {
  it('should read the percentiles in ms, the rate and the failures', () => {
    expect(parseWrkOutput(OUTPUT)).toEqual({ p50: 10.58, p99: 1020, requestsPerSecond: 4586.93, errors: 5, non2xx: 7 });
  });

  it('should read microseconds and an output without failures', () => {
    const quiet = OUTPUT.replace('10.58ms', '812.00us').replace(/ {2}Socket errors.*\n {2}Non-2xx.*\n/u, '');
    expect(parseWrkOutput(quiet)).toMatchObject({ p50: 0.812, errors: 0, non2xx: 0 });
  });
});
