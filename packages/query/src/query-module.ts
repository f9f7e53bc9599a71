import { ContainerModule } from 'inversify';
import { QueryServer } from './server/query-server.js';

/** Binds {@link QueryServer} (a singleton). Needs CONFIG, MESSAGE_STORE and LOGGER. */
export const queryModule = new ContainerModule((options) => {
  options.bind(QueryServer).toSelf().inSingletonScope();
});
