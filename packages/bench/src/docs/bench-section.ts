/**
 * One section of `docs/benchmarks.md`: the latest result of one benchmark, as the benchmark wrote it
 * (`docs/bench-results/<section>.json`). A new run of the same benchmark replaces its file, never adds to it.
 */
export interface BenchSection {
  /** Which benchmark: `transport`, `pipeline`, `query`, `import`, `store`, `metrics`, `soak`, or another name. */
  readonly section: string;
  /** The section's heading. */
  readonly title: string;
  /** When it ran (ISO 8601, UTC). */
  readonly date: string;
  /** What it ran on: CPU, cores, memory, Node. */
  readonly machine: string;
  /** The commit of the tree measured (short hash), or `unknown`. */
  readonly commit: string;
  /** Load average of the machine at the start and end of the run, as measured (`1.03 → 1.68`). */
  readonly load: string;
  /** The command that produced it, to run it again. */
  readonly command: string;
  /** One paragraph on what the figures say and how to read them. */
  readonly summary?: string;
  /** The figures: a header and rows of cells. */
  readonly table: { readonly columns: readonly string[]; readonly rows: readonly (readonly (string | number)[])[] };
  /** Short remarks under the table (conditions, caveats). */
  readonly notes?: readonly string[];
  /** What earlier runs said, in one line, when it still matters. */
  readonly earlier?: string;
}

/** The order of the sections in the document; a section not listed comes after these, by name. */
export const SECTION_ORDER: readonly string[] = ['transport', 'pipeline', 'profiles', 'store', 'query', 'query-profile', 'import', 'metrics', 'soak'];

const SECTION_NAME = /^[a-z][a-z0-9-]*$/u;

/**
 * Reads a section from parsed JSON, naming the first field that is missing or of the wrong type.
 *
 * @throws {Error} naming the file (`source`) and the field.
 */
export function parseBenchSection(value: unknown, source: string): BenchSection {
  const fail = (field: string, expected: string): never => {
    throw new Error(`${source}: "${field}" must be ${expected}`);
  };
  if (typeof value !== 'object' || value === null) return fail('(document)', 'an object');
  const record = value as Record<string, unknown>;
  for (const field of ['section', 'title', 'date', 'machine', 'commit', 'load', 'command'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '') fail(field, 'a non-empty string');
  }
  if (!SECTION_NAME.test(record['section'] as string)) fail('section', 'lower-case words joined by "-"');
  if (Number.isNaN(Date.parse(record['date'] as string))) fail('date', 'an ISO 8601 date');
  const table = record['table'] as Record<string, unknown> | undefined;
  if (typeof table !== 'object' || table === null) return fail('table', 'an object with columns and rows');
  const columns = table['columns'];
  if (!Array.isArray(columns) || columns.length === 0 || !columns.every((cell) => typeof cell === 'string')) fail('table.columns', 'a list of strings');
  const rows = table['rows'];
  if (!Array.isArray(rows)) return fail('table.rows', 'a list of rows');
  rows.forEach((row: unknown, index) => {
    if (!Array.isArray(row) || !row.every((cell) => typeof cell === 'string' || typeof cell === 'number')) fail(`table.rows[${index}]`, 'a list of strings and numbers');
  });
  for (const field of ['summary', 'earlier'] as const) {
    if (record[field] !== undefined && typeof record[field] !== 'string') fail(field, 'a string');
  }
  const notes = record['notes'];
  if (notes !== undefined && (!Array.isArray(notes) || !notes.every((note) => typeof note === 'string'))) fail('notes', 'a list of strings');
  return record as unknown as BenchSection;
}
