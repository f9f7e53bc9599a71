import { ContainerModule } from 'inversify';
import { CONFIG, MESSAGE_STORE } from '@statbus/core';
import { Archiver } from './archiver/archiver.js';
import { createMessageStore } from './create-message-store.js';
import { sqliteStoreOptionsFromConfig } from './sqlite/sqlite-config-options.js';

/**
 * Binds {@link MESSAGE_STORE} to the store `config.store` names, tuned by `[sink.sqlite]` when it is SQLite (a
 * singleton, not yet initialised: the composition root calls `init()`), and {@link Archiver} (a singleton). Needs CONFIG, and for the archiver
 * TRANSPORT and LOGGER; ARCHIVER_OPTIONS may be bound, otherwise the defaults apply.
 */
export const sinkModule = new ContainerModule((options) => {
  options
    .bind(MESSAGE_STORE)
    .toDynamicValue((context) => {
      const config = context.get(CONFIG);
      return createMessageStore(config.store, { sqlite: sqliteStoreOptionsFromConfig(config.sink.sqlite) });
    })
    .inSingletonScope();
  options.bind(Archiver).toSelf().inSingletonScope();
});
