import type { StatbusConfig } from '@statbus/core';
import type { SqliteStoreOptions } from './sqlite-store-options.js';

/**
 * The store options a validated `[sink.sqlite]` table gives: each key given, renamed from snake_case to the
 * option's camelCase (`walk_max_rows` → `walkMaxRows`); absent keys stay absent, so the store's defaults apply.
 */
export function sqliteStoreOptionsFromConfig(section: StatbusConfig['sink']['sqlite']): SqliteStoreOptions {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section)) {
    if (value !== undefined) options[key.replace(/_([a-z])/gu, (_match, letter: string) => letter.toUpperCase())] = value;
  }
  return options;
}
