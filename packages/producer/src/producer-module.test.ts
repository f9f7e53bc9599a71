import { CONFIG, LOGGER, TRANSPORT, configSchema, silentLogger } from '@statbus/core';
import { MemoryTransport } from '@statbus/testing';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { Producer } from './producer.js';
import { producerModule } from './producer-module.js';

describe('producerModule', () => {
  it('should bind one Producer built from the container', () => {
    const container = new Container();
    container.bind(CONFIG).toConstantValue(configSchema.parse({ producer: { name: 'bodhi' } }));
    container.bind(LOGGER).toConstantValue(silentLogger);
    container.bind(TRANSPORT).toConstantValue(new MemoryTransport());
    container.load(producerModule);
    const producer = container.get(Producer);
    expect(producer).toBeInstanceOf(Producer);
    expect(producer.identity.name).toBe('bodhi');
    expect(container.get(Producer)).toBe(producer);
  });
});
