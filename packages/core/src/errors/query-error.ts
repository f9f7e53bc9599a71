import { StatbusError } from './statbus-error.js';

/** A message query with a bad parameter; `field` names it (as the caller spelled it). */
export class QueryError extends StatbusError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('ERR_QUERY', `${field}: ${message}`);
    this.field = field;
  }
}
