import { readFileSync } from 'node:fs';
import { ConfigError } from '@statbus/core';
import type { ExtractionRule } from './extraction-rule.js';
import type { MetaExtractorOptions } from './meta-extractor.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a user's own facts: a JSON document `{ "rules": [ExtractionRule…], "identities": { "nick or
 * email": "username" }, "builtIn": true }`, every key optional. The rules themselves are checked when the
 * extractor is built. Throws `ConfigError` naming the file and what is wrong.
 */
export function parseMetaRules(document: unknown, source = 'meta rules'): MetaExtractorOptions {
  const issues: { path: string; message: string; source: string }[] = [];
  if (!isObject(document)) throw new ConfigError([{ path: '', message: 'must be a JSON object with `rules` and/or `identities`', source }]);
  for (const key of Object.keys(document)) {
    if (!['rules', 'identities', 'builtIn'].includes(key)) issues.push({ path: key, message: 'unknown key; expected rules, identities or builtIn', source });
  }
  const { rules, identities, builtIn } = document;
  if (rules !== undefined && !Array.isArray(rules)) issues.push({ path: 'rules', message: 'must be a list of rules', source });
  if (identities !== undefined && (!isObject(identities) || Object.values(identities).some((value) => typeof value !== 'string'))) {
    issues.push({ path: 'identities', message: 'must map names to usernames (strings)', source });
  }
  if (builtIn !== undefined && typeof builtIn !== 'boolean') issues.push({ path: 'builtIn', message: 'must be true or false', source });
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    ...(rules === undefined ? {} : { rules: rules as ExtractionRule[] }),
    ...(identities === undefined ? {} : { identities: identities as Record<string, string> }),
    ...(builtIn === undefined ? {} : { builtIn: builtIn as boolean }),
  };
}

/** {@link parseMetaRules} of a JSON file; an unreadable or malformed file is a `ConfigError` naming it. */
export function loadMetaRulesFile(path: string): MetaExtractorOptions {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([{ path: '', message: `cannot read meta rules: ${(error as Error).message}`, source: path }], { cause: error });
  }
  return parseMetaRules(document, path);
}
