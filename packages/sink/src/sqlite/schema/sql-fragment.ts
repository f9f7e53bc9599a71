/** A piece of SQL and its positional parameters. */
export interface SqlFragment {
  readonly sql: string;
  readonly params: readonly (string | number)[];
}

/** `?, ?, ?` for `count` positional parameters (an `IN (…)` list). */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}
