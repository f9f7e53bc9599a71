import { describe, expect, it } from 'vitest';
import { lossFigures, resourceFigures } from './figures.js';
import type { Measurement } from './run-measurement.js';

const measurement = (processes: Measurement['processes'], detected?: Measurement['detected']): Measurement => ({
  sent: 1000,
  expected: 1000,
  received: 900,
  lost: 100,
  seconds: 1,
  perSecond: 900,
  publishSeconds: 0.9,
  drainMs: 100,
  samples: [],
  ...(detected === undefined ? {} : { detected }),
  processes,
});

describe('resourceFigures', () => {
  it('should give CPU µs per message sent (producers) and received (consumers), and the peak RSS of each role', () => {
    const figures = resourceFigures(
      measurement([
        { role: 'producer', pid: 1, cpuMs: 50, maxRssMiB: 80 },
        { role: 'consumer', pid: 2, cpuMs: 90, maxRssMiB: 70 },
        { role: 'consumer', pid: 3, cpuMs: 90, maxRssMiB: 75 },
      ]),
    );
    expect(figures).toMatchObject({ producerCpuUsPerMessage: 50, consumerCpuUsPerMessage: 200, producerMaxRssMiB: 80, consumerMaxRssMiB: 75 });
  });

  it('should count a single process once, as the consumer', () => {
    const figures = resourceFigures(measurement([{ role: 'producer+consumer', pid: 1, cpuMs: 90, maxRssMiB: 100 }]));
    expect(figures.producerCpuUsPerMessage).toBeNaN();
    expect(figures).toMatchObject({ consumerCpuUsPerMessage: 100, producerMaxRssMiB: 100, consumerMaxRssMiB: 100 });
  });
});

describe('lossFigures', () => {
  it('should keep what the candidate detected only when it can tell', () => {
    expect(lossFigures(measurement([]))).toEqual({ sent: 1000, expected: 1000, received: 900, lost: 100 });
    expect(lossFigures(measurement([], { gaps: 2, missed: 100, dropped: 0 })).detected).toEqual({ gaps: 2, missed: 100, dropped: 0 });
  });
});
