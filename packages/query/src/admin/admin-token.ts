import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, MIN_ADMIN_TOKEN_LENGTH, type QueryConfig } from '@statbus/core';

/**
 * The admin bearer token from `[query] admin_token`, or read from `admin_token_file` (relative to `cwd`; one
 * line, surrounding white space ignored). Undefined when neither is set: the API is then read-only.
 *
 * @throws {ConfigError} when both are set, the file cannot be read, or the token in it is too short.
 */
export function readAdminToken(config: Pick<QueryConfig, 'admin_token' | 'admin_token_file'>, cwd = '.'): string | undefined {
  if (config.admin_token !== undefined && config.admin_token_file !== undefined) {
    throw new ConfigError([{ path: 'query.admin_token_file', message: 'give admin_token or admin_token_file, not both' }]);
  }
  if (config.admin_token_file === undefined) return config.admin_token;
  const file = resolve(cwd, config.admin_token_file);
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigError([{ path: 'query.admin_token_file', source: file, message: `cannot read the token file: ${(error as Error).message}` }], { cause: error });
  }
  if (token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError([{ path: 'query.admin_token_file', source: file, message: `the token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters` }]);
  }
  return token;
}
