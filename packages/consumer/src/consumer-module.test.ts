import { CONFIG, LOGGER, TRANSPORT, configSchema, silentLogger } from '@statbus/core';
import { MemoryTransport } from '@statbus/testing';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import { ConsumerHub } from './consumer-hub.js';
import { consumerModule } from './consumer-module.js';
import { HealthServer } from './health-server.js';

describe('consumerModule', () => {
  it('should bind one ConsumerHub and a HealthServer reporting on it', async () => {
    const container = new Container();
    container.bind(CONFIG).toConstantValue(configSchema.parse({}));
    container.bind(LOGGER).toConstantValue(silentLogger);
    container.bind(TRANSPORT).toConstantValue(new MemoryTransport());
    container.load(consumerModule);
    const hub = container.get(ConsumerHub);
    expect(container.get(ConsumerHub)).toBe(hub);
    const server = container.get(HealthServer);
    const response = await server.app.inject({ method: 'GET', url: '/live' });
    expect(response.json()).toMatchObject({ state: 'idle' });
    await server.close();
  });
});
