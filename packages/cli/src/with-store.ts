import { MESSAGE_STORE, type MessageStore } from '@statbus/core';
import type { CommandContext } from './command-context.js';

/** Opens the configured store (creating or migrating its schema), runs `work`, and closes it. */
export async function withStore<T>(context: CommandContext, work: (store: MessageStore) => Promise<T>): Promise<T> {
  const store = context.container.get(MESSAGE_STORE);
  try {
    await store.init();
    return await work(store);
  } finally {
    await store.close();
  }
}
