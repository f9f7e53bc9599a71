import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { JsonObject } from '../envelope/envelope.js';
import { compilePattern, type TopicMatcher } from '../topic/topic-pattern.js';
import type { HeaderExtractor } from './header-hints.js';
import { SchemaDefinitionError } from './schema-definition-error.js';
import { SchemaValidationError, type SchemaIssue } from './schema-validation-error.js';

/** A JSON Schema (draft-07) as a plain object. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** How a schema is registered. */
export interface SchemaOptions {
  /** The schema's name, sent in the `schema` header (e.g. `bodhi.update.comment.v1`). */
  readonly name: string;
  /** Reads `usernames`, `packages`, `agent` and `severity` from a valid body. */
  readonly extract?: HeaderExtractor;
}

/** A schema the registry holds. */
export interface RegisteredSchema {
  readonly pattern: string;
  readonly name: string;
  readonly extract?: HeaderExtractor;
}

/** The outcome of {@link SchemaRegistry.check}. */
export type SchemaCheck =
  | { readonly ok: true; readonly schema: RegisteredSchema | undefined }
  | { readonly ok: false; readonly error: SchemaValidationError };

interface Entry extends RegisteredSchema {
  readonly matcher: TopicMatcher;
  readonly validate: ValidateFunction;
}

function toIssue(error: ErrorObject): SchemaIssue {
  return { instancePath: error.instancePath, keyword: error.keyword, message: error.message ?? error.keyword, params: error.params };
}

/**
 * JSON Schemas for message bodies, each bound to a topic pattern, like fedora-messaging's message schemas.
 * The first registered schema whose pattern matches a topic applies to it; topics no pattern matches are
 * not validated. Validation never changes a body (no defaults, no coercion).
 */
export class SchemaRegistry {
  readonly #ajv: Ajv;
  readonly #entries: Entry[] = [];

  constructor() {
    this.#ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false, logger: false });
    // ajv-formats is CommonJS: the default import is its module object, whose `default` is the plugin.
    addFormatsModule.default(this.#ajv);
  }

  /** The schemas held, in registration order. */
  get schemas(): readonly RegisteredSchema[] {
    return this.#entries.map(({ pattern, name, extract }) => ({ pattern, name, ...(extract === undefined ? {} : { extract }) }));
  }

  /**
   * Registers `schema` for the topics `pattern` matches (AMQP semantics, full topics).
   *
   * @throws {TopicError} when the pattern is malformed.
   * @throws {SchemaDefinitionError} when ajv cannot compile the schema (unknown keyword or format, bad `$ref`,
   *   a duplicate `$id`), or it is asynchronous.
   */
  register(pattern: string, schema: JsonSchema, options: SchemaOptions): this {
    const matcher = compilePattern(pattern);
    if (typeof options.name !== 'string' || options.name.length === 0) throw new SchemaDefinitionError(String(options.name), 'a schema needs a name');
    if (schema['$async'] === true) throw new SchemaDefinitionError(options.name, 'asynchronous schemas are not supported');
    let validate: ValidateFunction;
    try {
      validate = this.#ajv.compile(schema);
    } catch (error) {
      throw new SchemaDefinitionError(options.name, error instanceof Error ? error.message : String(error), { cause: error });
    }
    this.#entries.push({ pattern, name: options.name, matcher, validate, ...(options.extract === undefined ? {} : { extract: options.extract }) });
    return this;
  }

  /** The schema that applies to `topic`, if any. */
  find(topic: string): RegisteredSchema | undefined {
    return this.#find(topic);
  }

  #find(topic: string): Entry | undefined {
    return this.#entries.find((entry) => entry.matcher.test(topic));
  }

  /** Validates `body` against the schema of `topic` without throwing. */
  check(topic: string, body: JsonObject): SchemaCheck {
    const entry = this.#find(topic);
    if (entry === undefined) return { ok: true, schema: undefined };
    if (entry.validate(body) === true) return { ok: true, schema: entry };
    const issues = (entry.validate.errors ?? []).map(toIssue);
    return { ok: false, error: new SchemaValidationError(topic, entry.name, issues) };
  }

  /**
   * Validates `body` against the schema of `topic`.
   *
   * @returns the schema that applied, or `undefined` when none does.
   * @throws {SchemaValidationError} listing every failure with its instance path.
   */
  validate(topic: string, body: JsonObject): RegisteredSchema | undefined {
    const result = this.check(topic, body);
    if (!result.ok) throw result.error;
    return result.schema;
  }
}
