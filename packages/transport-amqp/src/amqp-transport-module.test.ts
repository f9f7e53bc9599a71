import { CONFIG, LOGGER, TRANSPORT, configSchema, silentLogger } from '@statbus/core';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { amqpTransportModule } from './amqp-transport-module.js';
import { AmqpTransport } from './amqp-transport.js';

describe('amqpTransportModule', () => {
  it('should bind TRANSPORT to one AmqpTransport built from CONFIG and LOGGER', () => {
    const container = new Container();
    container.bind(CONFIG).toConstantValue(configSchema.parse({ transport: 'amqp' }));
    container.bind(LOGGER).toConstantValue(silentLogger);
    container.load(amqpTransportModule);
    const transport = container.get(TRANSPORT);
    expect(transport).toBeInstanceOf(AmqpTransport);
    expect(transport.kind).toBe('amqp');
    expect(container.get(TRANSPORT)).toBe(transport);
  });
});
