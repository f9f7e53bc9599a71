import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error.js';
import { loadConfig } from './load-config.js';

describe('wire_format of [amqp] and [zeromq]', () => {
  it("should default to statbus's own format on both transports", () => {
    const { config } = loadConfig({ env: {}, cwd: '/nonexistent' });
    expect(config.amqp.wire_format).toBe('statbus');
    expect(config.zeromq.wire_format).toBe('statbus');
  });

  it('should take the Fedora formats from the environment', () => {
    const { config } = loadConfig({ env: { STATBUS_AMQP__WIRE_FORMAT: 'fedora-messaging', STATBUS_ZEROMQ__WIRE_FORMAT: 'fedmsg' }, cwd: '/nonexistent' });
    expect(config.amqp.wire_format).toBe('fedora-messaging');
    expect(config.zeromq.wire_format).toBe('fedmsg');
  });

  it('should refuse a format of the other transport, naming both keys', () => {
    let error: unknown;
    try {
      loadConfig({ env: {}, cwd: '/nonexistent', overrides: { amqp: { wire_format: 'fedmsg' }, zeromq: { wire_format: 'fedora-messaging' } } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.path).sort()).toEqual(['amqp.wire_format', 'zeromq.wire_format']);
  });
});
