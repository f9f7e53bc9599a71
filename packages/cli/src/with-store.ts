import type { MessageStore } from '@statbus/core';
import type { CommandContext } from './composition/command-context.js';

/** Opens the configured store (creating or migrating its schema), runs `work`, and closes it. */
export async function withStore<T>(context: CommandContext, work: (store: MessageStore) => Promise<T>): Promise<T> {
  const store = context.services.store();
  try {
    await store.init();
    return await work(store);
  } finally {
    await store.close();
  }
}
