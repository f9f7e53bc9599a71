import { TRANSPORT } from '@statbus/core';
import { ContainerModule } from 'inversify';
import { ZeroMqTransport } from './zeromq-transport.js';

/**
 * Binds `TRANSPORT` to {@link ZeroMqTransport} in singleton scope. The container must hold `CONFIG`
 * and `LOGGER`; it does not connect: the application calls `connect()`.
 */
export const zeromqTransportModule = new ContainerModule(({ bind }) => {
  bind(TRANSPORT).to(ZeroMqTransport).inSingletonScope();
});
