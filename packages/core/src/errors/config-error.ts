import { StatbusError } from './statbus-error.js';

/** One problem found in a configuration: where (key path, file, line) and what. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `amqp.prefetch`; empty for the document itself. */
  readonly path: string;
  readonly message: string;
  /** The file the value came from, or `env` / `overrides`. */
  readonly source?: string;
  /** 1-based line in the TOML file, when known. */
  readonly line?: number;
  readonly column?: number;
}

/** Thrown once by config loading with every problem found, never one at a time. */
export class ConfigError extends StatbusError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super('ERR_CONFIG', formatIssues(issues), options);
    this.issues = issues;
  }
}

function formatIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => {
    const where = [issue.source, issue.line === undefined ? undefined : `line ${issue.line}`]
      .filter((part) => part !== undefined)
      .join(', ');
    const key = issue.path === '' ? '(document)' : issue.path;
    return `  - ${key}${where === '' ? '' : ` (${where})`}: ${issue.message}`;
  });
  const noun = issues.length === 1 ? 'problem' : 'problems';
  return `Invalid configuration, ${issues.length} ${noun}:\n${lines.join('\n')}`;
}
