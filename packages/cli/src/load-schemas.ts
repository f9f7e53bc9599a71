import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { StatbusConfig } from '@statbus/core';
import type { JsonSchema, SchemaOptions } from '@statbus/producer';
import { CliError } from './cli-error.js';

/** Something schemas are registered on: a `Producer` or a `ConsumerHub`. */
export interface SchemaTarget {
  registerSchema(pattern: string, schema: JsonSchema, options: SchemaOptions): unknown;
}

/**
 * Reads the JSON Schema files of `[schemas]` (relative to `cwd`) and registers each on `target` for its
 * pattern, named by its `$id`, else its `title`, else its file name.
 *
 * @throws {CliError} naming the file that cannot be read or is not a JSON object.
 */
export function loadSchemas(config: StatbusConfig, cwd: string, target: SchemaTarget): void {
  for (const [pattern, file] of Object.entries(config.schemas)) {
    const path = resolve(cwd, file);
    let schema: unknown;
    try {
      schema = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new CliError(`schemas."${pattern}": cannot read the JSON Schema ${path}: ${(error as Error).message}`, { cause: error });
    }
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new CliError(`schemas."${pattern}": ${path} is not a JSON Schema object`);
    const named = schema as { $id?: unknown; title?: unknown };
    const name = typeof named.$id === 'string' ? named.$id : typeof named.title === 'string' ? named.title : basename(file, '.json');
    target.registerSchema(pattern, schema as JsonSchema, { name });
  }
}
