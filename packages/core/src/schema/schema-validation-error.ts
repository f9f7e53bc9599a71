import { StatbusError } from '../errors/statbus-error.js';

/** One way a body fails its schema, as ajv reports it. */
export interface SchemaIssue {
  /** JSON Pointer to the offending value in the body (`/karma`); empty for the body itself. */
  readonly instancePath: string;
  /** The schema keyword that failed (`type`, `required`, `format`…). */
  readonly keyword: string;
  readonly message: string;
  /** ajv's parameters of the failure, e.g. `{ missingProperty: 'update' }`. */
  readonly params: Readonly<Record<string, unknown>>;
}

/** A message body that does not match the JSON Schema registered for its topic. Code `ERR_ENVELOPE`. */
export class SchemaValidationError extends StatbusError {
  readonly topic: string;
  /** The name the schema was registered with. */
  readonly schema: string;
  readonly issues: readonly SchemaIssue[];

  constructor(topic: string, schema: string, issues: readonly SchemaIssue[]) {
    const listed = issues.map((issue) => `${issue.instancePath === '' ? '(body)' : issue.instancePath} ${issue.message}`).join('; ');
    super('ERR_ENVELOPE', `Body of ${topic} does not match schema ${schema}: ${listed}`);
    this.topic = topic;
    this.schema = schema;
    this.issues = issues;
  }
}
