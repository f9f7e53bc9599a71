import { ContainerModule } from 'inversify';
import { ConsumerHub } from './consumer-hub.js';
import { HealthServer } from './health-server.js';

/**
 * Binds {@link ConsumerHub} and {@link HealthServer} to themselves in singleton scope. The container must
 * hold `TRANSPORT`, `CONFIG` and `LOGGER`. Nothing starts: the application registers handlers, calls
 * `hub.start()` and, when `[consumer] health_port` is not 0, `health.listen()`.
 */
export const consumerModule = new ContainerModule(({ bind }) => {
  bind(ConsumerHub).toSelf().inSingletonScope();
  bind(HealthServer).toSelf().inSingletonScope();
});
