import { describe, expect, it } from 'vitest';
import { configSchema } from './config-schema.js';
import { CONSUMER_DEFAULTS } from './consumer-config.js';

describe('[consumer]', () => {
  it('should default to 4 handlers at once, 3 retries, health and watchdog off, no group', () => {
    expect(configSchema.parse({}).consumer).toEqual({ ...CONSUMER_DEFAULTS, consumers: [], topics: [] });
  });

  it.each([
    [{ concurrency: 8, prefetch: 4 }, 'consumer.prefetch'],
    [{ concurrency: 0 }, 'consumer.concurrency'],
    [{ max_retries: -1 }, 'consumer.max_retries'],
    [{ health_port: 70_000 }, 'consumer.health_port'],
    [{ group: 'two words' }, 'consumer.group'],
    [{ watchdog: 5 }, 'consumer'],
  ])('should refuse %o at %s', (consumer, path) => {
    const result = configSchema.safeParse({ consumer });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => ['consumer', ...issue.path.slice(1)].join('.'))).toContain(path);
  });
});
