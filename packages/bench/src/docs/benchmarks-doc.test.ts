import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BenchSection } from './bench-section.js';
import { parseBenchSection } from './bench-section.js';
import { readBenchSections, recordBenchSection, renderBenchmarksDoc, writeBenchmarksDoc } from './benchmarks-doc.js';

function section(name: string, figure: number, date = '2026-12-06T10:00:00Z'): BenchSection {
  return {
    section: name,
    title: `The ${name} benchmark`,
    date,
    machine: '2 × Test CPU, 4.0 GiB, Node v20',
    commit: 'abc1234',
    load: '0.50 → 0.70',
    command: `npm run bench:${name}`,
    table: { columns: ['shape', 'msg/s'], rows: [['one', figure]] },
  };
}

describe('writeBenchmarksDoc', () => {
  let dir: string;
  let results: string;
  let out: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'statbus-benchdoc-'));
    results = join(dir, 'bench-results');
    out = join(dir, 'benchmarks.md');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('when a benchmark runs again', () => {
    it('should replace its section and keep the others', () => {
      recordBenchSection(results, section('transport', 1111));
      recordBenchSection(results, section('query', 2222));
      writeBenchmarksDoc(results, out);
      const before = readFileSync(out, 'utf8');

      recordBenchSection(results, section('query', 3333, '2026-12-07T10:00:00Z'));
      writeBenchmarksDoc(results, out);
      const after = readFileSync(out, 'utf8');

      expect(readdirSync(results).sort()).toEqual(['query.json', 'transport.json']);
      expect(before).toContain('| one | 2,222 |');
      expect(after).not.toContain('2,222');
      expect(after).toContain('| one | 3,333 |');
      expect(after).toContain('2026-12-07T10:00:00Z');
      expect(after.match(/^## The query benchmark$/gmu)).toHaveLength(1);
      const transport = (text: string): string => text.slice(text.indexOf('## The transport benchmark'), text.indexOf('## The query benchmark'));
      expect(transport(after)).toBe(transport(before));
    });
  });

  describe('when sections are read', () => {
    it('should order them transport, pipeline, store, query, import, metrics, soak, then others by name', () => {
      for (const name of ['zeta', 'soak', 'query', 'alpha', 'transport', 'metrics', 'store', 'pipeline', 'import']) recordBenchSection(results, section(name, 1));
      expect(readBenchSections(results).map((read) => read.section)).toEqual(['transport', 'pipeline', 'store', 'query', 'import', 'metrics', 'soak', 'alpha', 'zeta']);
    });

    it('should refuse a file whose name is not its section', () => {
      recordBenchSection(results, section('query', 1));
      writeFileSync(join(results, 'store.json'), JSON.stringify(section('query', 2)));
      expect(() => readBenchSections(results)).toThrow(/holds section "query"; it belongs in query\.json/u);
    });
  });

  describe('renderBenchmarksDoc', () => {
    it('should give each section its date, machine, commit, load and command, and escape cells', () => {
      const text = renderBenchmarksDoc([{ ...section('store', 5), table: { columns: ['a|b', 'n'], rows: [['x|y', 1.234]] }, notes: ['a note'], earlier: 'slower' }]);
      expect(text).toContain('2026-12-06T10:00:00Z · 2 × Test CPU, 4.0 GiB, Node v20 · commit abc1234 · load 0.50 → 0.70');
      expect(text).toContain('`npm run bench:store`');
      expect(text).toContain('| a\\|b | n |');
      expect(text).toContain('| x\\|y | 1.23 |');
      expect(text).toContain('- a note');
      expect(text).toContain('Earlier runs: slower');
    });
  });
});

describe('parseBenchSection', () => {
  it('should name the missing field and the file', () => {
    const { commit: _commit, ...withoutCommit } = section('query', 1);
    expect(() => parseBenchSection(withoutCommit, 'q.json')).toThrow('q.json: "commit" must be a non-empty string');
  });

  it('should refuse a row that is not a list of cells', () => {
    expect(() => parseBenchSection({ ...section('query', 1), table: { columns: ['a'], rows: [[{}]] } }, 'q.json')).toThrow('q.json: "table.rows[0]"');
  });

  it('should refuse a date that is not one', () => {
    expect(() => parseBenchSection({ ...section('query', 1), date: 'yesterday' }, 'q.json')).toThrow('"date" must be an ISO 8601 date');
  });
});
