import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TomlError, parse as parseToml } from 'smol-toml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import { closestName } from './closest-name.js';
import { configSchema, type StatbusConfig } from './config-schema.js';
import { locateKey, tomlKeyLocations } from './toml-locations.js';

/** Default config file name, looked for in the working directory. */
export const DEFAULT_CONFIG_FILE = 'statbus.toml';
/** Prefix of environment variables that override config keys: `STATBUS_AMQP__URL` sets `amqp.url`. */
export const ENV_PREFIX = 'STATBUS_';
/** Environment variable naming the config file. */
export const ENV_CONFIG_FILE = 'STATBUS_CONFIG';

/** Where the configuration comes from, lowest precedence first: file, then environment, then overrides. */
export interface LoadConfigOptions {
  /** A TOML file that must exist. Default: `$STATBUS_CONFIG`, else `./statbus.toml` when it exists, else none. */
  readonly file?: string;
  /** The environment to read `STATBUS_*` variables from (pass `process.env`; packages never read it themselves). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values that win over everything, e.g. from command-line flags: `{ transport: 'amqp' }`. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Directory for the default file and relative paths; default `process.cwd()`. */
  readonly cwd?: string;
}

/** The validated configuration and the file it was read from, if any. */
export interface LoadedConfig {
  readonly config: StatbusConfig;
  readonly file: string | undefined;
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: Tree, top: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(top)) {
    const current = Object.hasOwn(out, key) ? out[key] : undefined;
    // Defined, not assigned: a key named `__proto__` stays a key (and is refused as unknown), not a prototype.
    Object.defineProperty(out, key, { value: isTree(current) && isTree(value) ? merge(current, value) : value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function has(tree: Tree, path: readonly (string | number)[]): boolean {
  let node: unknown = tree;
  for (const key of path) {
    if (!isTree(node) || !Object.hasOwn(node, String(key))) return false;
    node = node[String(key)];
  }
  return true;
}

interface SchemaDef {
  readonly type: string;
  readonly innerType?: { _zod: { def: SchemaDef } };
  readonly shape?: Record<string, { _zod: { def: SchemaDef } }>;
  readonly valueType?: { _zod: { def: SchemaDef } };
}

/** The schema's definition at `path`, looking through optional/default wrappers. */
function definitionAt(path: readonly string[]): SchemaDef | undefined {
  let def: SchemaDef | undefined = (configSchema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  const unwrap = (): void => {
    while (def !== undefined && def.innerType !== undefined && ['optional', 'default', 'prefault', 'nullable'].includes(def.type)) {
      def = def.innerType._zod.def;
    }
  };
  for (const key of path) {
    unwrap();
    if (def === undefined) return undefined;
    // Own keys only: a variable named STATBUS_CONSTRUCTOR__… must not find Object's prototype.
    if (def.type === 'object') def = def.shape !== undefined && Object.hasOwn(def.shape, key) ? def.shape[key]?._zod.def : undefined;
    else if (def.type === 'record') def = def.valueType?._zod.def;
    else return undefined;
  }
  unwrap();
  return def;
}

/** The zod type name expected at `path`. */
function expectedType(path: readonly string[]): string | undefined {
  return definitionAt(path)?.type;
}

/** `unknown key`, with the key of the same table it most likely meant: `did you mean "prefetch"?`. */
function unknownKeyMessage(table: readonly string[], key: string): string {
  const shape = definitionAt(table)?.shape;
  const meant = shape === undefined ? undefined : closestName(key, Object.keys(shape));
  return meant === undefined ? 'unknown key' : `unknown key; did you mean ${JSON.stringify(meant)}?`;
}

function coerceEnvValue(raw: string, type: string | undefined): unknown {
  switch (type) {
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'array':
      if (raw.trim().startsWith('[')) return parseJsonOr(raw);
      return raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
    case 'object':
    case 'record':
      return parseJsonOr(raw);
    default:
      return raw;
  }
}

function parseJsonOr(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** Reads `STATBUS_*` variables (but `STATBUS_CONFIG`) into a config tree; `__` separates nested keys. */
function fromEnv(env: Readonly<Record<string, string | undefined>>): { tree: Tree; names: Map<string, string> } {
  let tree: Tree = {};
  const names = new Map<string, string>();
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || name === ENV_CONFIG_FILE || raw === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).toLowerCase().split('__');
    const value = coerceEnvValue(raw, expectedType(path));
    const leaf = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Tree;
    tree = merge(tree, leaf);
    names.set(path.join('.'), name);
  }
  return { tree, names };
}

function readFile(file: string): { tree: Tree; source: string } {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ path: '', source: file, message: `cannot read the config file: ${(error as Error).message}` }], { cause: error });
  }
  try {
    return { tree: parseToml(source), source };
  } catch (error) {
    if (error instanceof TomlError) {
      const first = error.message.split('\n')[0] ?? error.message;
      throw new ConfigError([{ path: '', source: file, line: error.line, column: error.column, message: `not valid TOML: ${first}` }], {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Loads, merges and validates the configuration once, at start-up.
 *
 * @throws {ConfigError} listing every problem at once: unreadable file, TOML syntax (with line), unknown keys,
 *   wrong types, unknown transport kind — each naming its key and where it came from (file and line,
 *   the environment variable, or the overrides).
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? {};
  const named = options.file ?? env[ENV_CONFIG_FILE];
  let file: string | undefined;
  if (named !== undefined && named !== '') {
    file = resolve(cwd, named);
    if (!existsSync(file)) throw new ConfigError([{ path: '', source: file, message: 'config file not found' }]);
  } else if (existsSync(resolve(cwd, DEFAULT_CONFIG_FILE))) {
    file = resolve(cwd, DEFAULT_CONFIG_FILE);
  }

  const fromFile = file === undefined ? { tree: {}, source: '' } : readFile(file);
  const fromEnvironment = fromEnv(env);
  const overrides = (options.overrides ?? {}) as Tree;
  const merged = merge(merge(fromFile.tree, fromEnvironment.tree), overrides);

  const result = configSchema.safeParse(merged);
  if (result.success) return { config: result.data, file };

  const locations = tomlKeyLocations(fromFile.source);
  const describe = (path: readonly (string | number)[]): Pick<ConfigIssue, 'source' | 'line' | 'column'> => {
    if (has(overrides, path)) return { source: 'overrides' };
    for (let depth = path.length; depth > 0; depth -= 1) {
      const variable = fromEnvironment.names.get(path.slice(0, depth).join('.'));
      if (variable !== undefined) return { source: `environment ${variable}` };
    }
    if (file !== undefined && has(fromFile.tree, path)) {
      const location = locateKey(locations, path);
      return { source: file, ...(location === undefined ? {} : { line: location.line, column: location.column }) };
    }
    return {};
  };
  const issues = result.error.issues.flatMap((issue: z.core.$ZodIssue): ConfigIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const path = [...issue.path.map(String), key];
        return { path: path.join('.'), message: unknownKeyMessage(issue.path.map(String), key), ...describe(path) };
      });
    }
    return [{ path: issue.path.map(String).join('.'), message: issue.message, ...describe(issue.path.map(String)) }];
  });
  throw new ConfigError(issues);
}
