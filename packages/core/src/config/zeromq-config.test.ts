import { describe, expect, it } from 'vitest';
import { configSchema } from './config-schema.js';
import { ZEROMQ_DEFAULTS } from './zeromq-config.js';

describe('[zeromq]', () => {
  describe('stream_heartbeat_ms', () => {
    it('should default to a heartbeat every second', () => {
      expect(configSchema.parse({}).zeromq.stream_heartbeat_ms).toBe(ZEROMQ_DEFAULTS.stream_heartbeat_ms);
      expect(ZEROMQ_DEFAULTS.stream_heartbeat_ms).toBe(1_000);
    });

    it('should accept 0 (no heartbeats) and any whole number of ms a timer can take', () => {
      expect(configSchema.parse({ zeromq: { stream_heartbeat_ms: 0 } }).zeromq.stream_heartbeat_ms).toBe(0);
      expect(configSchema.parse({ zeromq: { stream_heartbeat_ms: 250 } }).zeromq.stream_heartbeat_ms).toBe(250);
    });

    it.each([-1, 1.5, 2 ** 31, '1000'])('should refuse %o', (value) => {
      const result = configSchema.safeParse({ zeromq: { stream_heartbeat_ms: value } });
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain('zeromq.stream_heartbeat_ms');
    });
  });
});
