/** A plain-text table: the first column left-aligned, the others right-aligned, two spaces apart. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** The widest a line of `statbus bench`'s text output gets (a terminal of 100 columns). */
export const TEXT_WIDTH = 100;

/**
 * A table that fits `width` columns: when all its columns do not fit side by side, the columns after the
 * first `keep` ones are spread over several tables, each repeating the first `keep` columns (so every row
 * still says whose figures it holds), separated by a blank line.
 */
export function fittedTable(header: readonly string[], rows: readonly (readonly string[])[], options: { readonly width?: number; readonly keep?: number } = {}): string {
  const width = options.width ?? TEXT_WIDTH;
  const keep = options.keep ?? 1;
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const kept = Array.from({ length: keep }, (_, column) => column);
  const keptWidth = kept.reduce((sum, column) => sum + (widths[column] ?? 0), 0) + 2 * (keep - 1);
  const groups: number[][] = [];
  let group: number[] = [];
  let used = keptWidth;
  for (let column = keep; column < header.length; column += 1) {
    const next = used + 2 + (widths[column] ?? 0);
    if (group.length > 0 && next > width) {
      groups.push(group);
      group = [];
      used = keptWidth;
    }
    group.push(column);
    used += 2 + (widths[column] ?? 0);
  }
  if (group.length > 0 || groups.length === 0) groups.push(group);
  const pick = (cells: readonly string[], columns: readonly number[]): string[] => [...kept, ...columns].map((column) => cells[column] ?? '');
  return groups.map((columns) => textTable(pick(header, columns), rows.map((row) => pick(row, columns)))).join('\n\n');
}

/** `text` wrapped at spaces into lines of at most `width` columns (a word longer than that stays whole); later lines start with `indent`. */
export function wrapText(text: string, width = TEXT_WIDTH, indent = ''): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && candidate.length > width) {
      lines.push(line);
      line = `${indent}${word}`;
    } else {
      line = candidate;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

/** A number with `digits` decimals, or `–` when it is not finite. */
export function fixed(value: number | undefined, digits = 2): string {
  return value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : '–';
}

/** A whole number with thousands separators, or `–`. */
export function whole(value: number | undefined): string {
  return value !== undefined && Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
}

/** `1 KiB` for multiples of 1024, else bytes. */
export function sizeLabel(size: number): string {
  return size % 1024 === 0 ? `${size / 1024} KiB` : `${size} B`;
}
