import { configSchema } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { batchHighWaterMark, batchLimits } from './socket-options.js';

const zeromq = (options: Record<string, unknown> = {}) => configSchema.parse({ zeromq: options }).zeromq;

describe(batchHighWaterMark, () => {
  it('should give as many batches as fit in hwm KiB', () => {
    expect(batchHighWaterMark(10_000, zeromq())).toBe(625);
    expect(batchHighWaterMark(10_000, zeromq({ batch_max_bytes: 64 * 1024 }))).toBe(156);
    expect(batchHighWaterMark(640, zeromq())).toBe(40);
  });

  it('should keep the worst case of queued batch bytes per peer at about hwm KiB (10 MiB with the defaults)', () => {
    const config = zeromq();
    expect(batchHighWaterMark(config.send_hwm, config) * config.batch_max_bytes).toBe(10_000 * 1024);
  });

  it('should keep 0 (no limit), never give 0 for a mark that is not, nor more than the mark', () => {
    expect(batchHighWaterMark(0, zeromq())).toBe(0);
    expect(batchHighWaterMark(2, zeromq())).toBe(1);
    expect(batchHighWaterMark(100, zeromq({ batch_max_bytes: 1024 }))).toBe(100);
  });

  it('should count messages when nothing is batched (batch_max_messages = 1, or the fedmsg wire format)', () => {
    expect(batchHighWaterMark(10_000, zeromq({ batch_max_messages: 1 }))).toBe(10_000);
    expect(batchHighWaterMark(10_000, zeromq({ wire_format: 'fedmsg' }))).toBe(10_000);
  });
});

describe(batchLimits, () => {
  it('should give the batcher the configured limits', () => {
    expect(batchLimits(zeromq({ batch_max_bytes: 4096, batch_max_messages: 8 }))).toEqual({ maxBytes: 4096, maxCount: 8 });
  });
});
