/** 1-based line (and column) where a dotted key path is set in a TOML document. */
export interface TomlLocation {
  readonly line: number;
  readonly column: number;
}

function splitKey(key: string): string[] {
  const parts: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(key)) !== null && match[0] !== '') {
    parts.push(match[1] ?? match[2] ?? match[3] ?? '');
    if (pattern.lastIndex >= key.length) break;
  }
  return parts;
}

/**
 * Maps every key path assigned in a TOML document (`[table]` headers and `key = value` lines, dotted and
 * quoted keys included) to where it is written, so that a schema problem can name its line. Inline tables
 * and multi-line values are attributed to the line of their key.
 */
export function tomlKeyLocations(source: string): Map<string, TomlLocation> {
  const locations = new Map<string, TomlLocation>();
  let table: string[] = [];
  let inMultiline: string | undefined;
  source.split(/\r?\n/u).forEach((raw, index) => {
    const line = index + 1;
    if (inMultiline !== undefined) {
      if (raw.includes(inMultiline)) inMultiline = undefined;
      return;
    }
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    const header = /^\[\[?([^\]]+)\]\]?/u.exec(text);
    if (header !== null) {
      table = splitKey(header[1] ?? '');
      const path = table.join('.');
      if (!locations.has(path)) locations.set(path, { line, column: raw.indexOf('[') + 1 });
      return;
    }
    const assignment = /^((?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.\s-])+?)\s*=/u.exec(text);
    if (assignment === null) return;
    const path = [...table, ...splitKey(assignment[1] ?? '')];
    for (let depth = table.length + 1; depth <= path.length; depth += 1) {
      const key = path.slice(0, depth).join('.');
      if (!locations.has(key)) locations.set(key, { line, column: raw.indexOf(text) + 1 });
    }
    const value = text.slice(assignment[0].length).trim();
    for (const quote of ['"""', "'''"]) {
      if (value.startsWith(quote) && !value.slice(3).includes(quote)) inMultiline = quote;
    }
  });
  return locations;
}

/** The location of `path` or of its nearest written ancestor. */
export function locateKey(locations: Map<string, TomlLocation>, path: readonly (string | number)[]): TomlLocation | undefined {
  for (let depth = path.length; depth > 0; depth -= 1) {
    const location = locations.get(path.slice(0, depth).join('.'));
    if (location !== undefined) return location;
  }
  return undefined;
}
