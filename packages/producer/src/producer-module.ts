import { ContainerModule } from 'inversify';
import { Producer } from './producer.js';

/** Binds {@link Producer} to itself in singleton scope. The container must hold `TRANSPORT`, `CONFIG` and `LOGGER`. */
export const producerModule = new ContainerModule(({ bind }) => {
  bind(Producer).toSelf().inSingletonScope();
});
