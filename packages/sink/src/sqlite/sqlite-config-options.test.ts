import { configSchema } from '@statbus/core';
import { describe, expect, it } from 'vitest';
import { sqliteStoreOptionsFromConfig } from './sqlite-config-options.js';
import { SQLITE_TUNING_DEFAULTS } from './sqlite-tuning.js';

const snake = (name: string): string => name.replace(/[A-Z]/gu, (letter) => `_${letter.toLowerCase()}`);

describe(sqliteStoreOptionsFromConfig, () => {
  it('should reach every tuning value from a [sink.sqlite] key of the same name in snake_case', () => {
    const section = Object.fromEntries(Object.entries(SQLITE_TUNING_DEFAULTS).map(([name, value]) => [snake(name), value]));
    const parsed = configSchema.safeParse({ sink: { sqlite: section } });
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(sqliteStoreOptionsFromConfig(parsed.data?.sink.sqlite ?? {})).toEqual(SQLITE_TUNING_DEFAULTS);
  });

  it('should pass the durability options and leave absent keys out', () => {
    const section = configSchema.parse({ sink: { sqlite: { synchronous: 'NORMAL', max_page_count: 100, index_in_background: false } } }).sink.sqlite;
    expect(sqliteStoreOptionsFromConfig(section)).toEqual({ synchronous: 'NORMAL', maxPageCount: 100, indexInBackground: false });
  });
});
