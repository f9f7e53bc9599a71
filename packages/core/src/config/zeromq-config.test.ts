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

  describe('recovery and backpressure keys', () => {
    it('should default to a window of 10,000 messages for 5 minutes, waiting 30 s at the high-water mark', () => {
      expect(configSchema.parse({}).zeromq).toMatchObject({
        replay_window: 10_000,
        replay_max_age_ms: 300_000,
        replay_bind: [],
        replay_endpoints: [],
        replay_timeout_ms: 2_000,
        send_timeout_ms: 30_000,
        on_full: 'wait',
        batch_max_bytes: 16_384,
        batch_max_messages: 64,
      });
      expect(configSchema.parse({}).zeromq.relay_replay).toBeUndefined();
      expect(configSchema.parse({}).zeromq.curve).toBeUndefined();
    });

    it.each([
      ['replay_window', -1],
      ['send_timeout_ms', -2],
      ['on_full', 'block'],
      ['batch_max_bytes', 512],
      ['batch_max_messages', 0],
      ['batch_max_messages', 1.5],
      ['relay_replay', 'http://x'],
      ['replay_bind', ['nowhere']],
    ])('should refuse %s = %o, naming it', (key, value) => {
      const result = configSchema.safeParse({ zeromq: { [key]: value } });
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => issue.path.slice(0, 2).join('.'))).toContain(`zeromq.${key}`);
    });
  });

  describe('[zeromq.curve]', () => {
    const key = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7';

    it('should take inline keys or key files', () => {
      expect(configSchema.parse({ zeromq: { curve: { public_key: key, secret_key: key, server_key: key } } }).zeromq.curve).toEqual({ public_key: key, secret_key: key, server_key: key });
      expect(configSchema.parse({ zeromq: { curve: { public_key_file: '/k.pub', secret_key_file: '/k', server_key_file: '/s.pub' } } }).zeromq.curve).toBeDefined();
    });

    it('should refuse a missing, doubled, malformed or unknown key, naming it', () => {
      const issues = (curve: unknown): string[] => configSchema.safeParse({ zeromq: { curve } }).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];
      expect(issues({ public_key: key, secret_key: key })).toEqual([expect.stringMatching(/^zeromq\.curve\.server_key: .*server_key/u)]);
      expect(issues({ public_key: key, public_key_file: '/k', secret_key: key, server_key: key })).toEqual([expect.stringMatching(/not both/u)]);
      expect(issues({ public_key: 'short', secret_key: key, server_key: key })).toEqual([expect.stringMatching(/^zeromq\.curve\.public_key: .*Z85/u)]);
      expect(issues({ public_key: key, secret_key: key, server_key: key, allowed: [] }).length).toBeGreaterThan(0);
    });
  });
});
