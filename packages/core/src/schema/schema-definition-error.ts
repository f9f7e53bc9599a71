import { StatbusError } from '../errors/statbus-error.js';

/** A JSON Schema that cannot be registered: ajv cannot compile it, or it is asynchronous. Code `ERR_CONFIG`. */
export class SchemaDefinitionError extends StatbusError {
  /** The name the schema was to be registered with. */
  readonly schema: string;

  constructor(schema: string, message: string, options?: { cause?: unknown }) {
    super('ERR_CONFIG', `Schema ${schema} cannot be registered: ${message}`, options);
    this.schema = schema;
  }
}
