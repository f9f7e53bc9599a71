import { TRANSPORT } from '@statbus/core';
import { ContainerModule } from 'inversify';
import { AmqpTransport } from './amqp-transport.js';

/**
 * Binds `TRANSPORT` to {@link AmqpTransport} in singleton scope. Needs `CONFIG` and `LOGGER` bound by
 * the composition root, which loads this module when the config says `transport = "amqp"`.
 */
export const amqpTransportModule = new ContainerModule(({ bind }) => {
  bind(TRANSPORT).to(AmqpTransport).inSingletonScope();
});
