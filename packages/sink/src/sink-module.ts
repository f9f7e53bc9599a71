import { ContainerModule } from 'inversify';
import { CONFIG, MESSAGE_STORE } from '@statbus/core';
import { Archiver } from './archiver/archiver.js';
import { createMessageStore } from './create-message-store.js';

/**
 * Binds {@link MESSAGE_STORE} to the store `config.store` names (a singleton, not yet initialised: the
 * composition root calls `init()`), and {@link Archiver} (a singleton). Needs CONFIG, and for the archiver
 * TRANSPORT and LOGGER; ARCHIVER_OPTIONS may be bound, otherwise the defaults apply.
 */
export const sinkModule = new ContainerModule((options) => {
  options
    .bind(MESSAGE_STORE)
    .toDynamicValue((context) => createMessageStore(context.get(CONFIG).store))
    .inSingletonScope();
  options.bind(Archiver).toSelf().inSingletonScope();
});
