import { CONFIG, LOGGER, TRANSPORT, configSchema, silentLogger } from '@statbus/core';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { ZeroMqTransport } from './zeromq-transport.js';
import { zeromqTransportModule } from './zeromq-transport-module.js';

describe('zeromqTransportModule', () => {
  describe('when loaded into a container holding CONFIG and LOGGER', () => {
    it('should bind TRANSPORT to one ZeroMqTransport', async () => {
      const container = new Container();
      container.bind(CONFIG).toConstantValue(configSchema.parse({}));
      container.bind(LOGGER).toConstantValue(silentLogger);
      container.load(zeromqTransportModule);
      const transport = container.get(TRANSPORT);
      expect(transport).toBeInstanceOf(ZeroMqTransport);
      expect(transport.kind).toBe('zeromq');
      expect(container.get(TRANSPORT)).toBe(transport);
      await transport.close();
    });
  });
});
