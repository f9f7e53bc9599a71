import { StatbusError } from './statbus-error.js';

/** One field of an envelope that is missing or wrong. */
export interface EnvelopeIssue {
  /** Dotted path of the field, e.g. `producer.pid`. */
  readonly path: string;
  readonly message: string;
}

/** An envelope that failed validation. It is never half-used: the whole message is refused. */
export class EnvelopeError extends StatbusError {
  readonly issues: readonly EnvelopeIssue[];

  constructor(issues: readonly EnvelopeIssue[]) {
    super(
      'ERR_ENVELOPE',
      `Invalid envelope: ${issues.map((issue) => `${issue.path === '' ? '(envelope)' : issue.path}: ${issue.message}`).join('; ')}`,
    );
    this.issues = issues;
  }
}
