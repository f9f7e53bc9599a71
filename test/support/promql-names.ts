/** PromQL words that are not metric names: keywords and operators spelt as words. */
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan', 'atan2']);

/**
 * The metric names a PromQL expression reads: every identifier that is not a function or aggregation
 * (followed by `(`), a keyword, a label inside `{…}` or `by (…)`, a range or duration. Grafana's
 * `$variables` and `[$__rate_interval]` are read as PromQL would see them once substituted. Enough PromQL
 * for dashboards and alert rules, not a full parser.
 */
export function metricNamesOf(expression: string): string[] {
  const text = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/gu, '""')
    .replace(/\{[^}]*\}/gu, ' ')
    .replace(/\[[^\]]*\]/gu, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gu, ' ')
    .replace(/\boffset\s+\S+/gu, ' ');
  const names = new Set<string>();
  for (const match of text.matchAll(/(?<![\w.$:])([A-Za-z_:][\w:]*)(?!\w)(\s*\()?/gu)) {
    const [, name, call] = match;
    if (name === undefined || call !== undefined || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names].sort();
}

/**
 * The metric names of a Grafana template variable's query: `label_values(metric{…}, label)`,
 * `query_result(<promql>)`, `metrics(regex)` (none) or plain PromQL.
 */
export function metricNamesOfVariable(query: string): string[] {
  const labelValues = /^\s*label_values\(\s*(.*),\s*\w+\s*\)\s*$/u.exec(query);
  if (labelValues !== null) return metricNamesOf(labelValues[1] ?? '');
  if (/^\s*(label_names|metrics)\(/u.test(query)) return [];
  const result = /^\s*query_result\((.*)\)\s*$/u.exec(query);
  return metricNamesOf(result?.[1] ?? query);
}

/**
 * The series names a Prometheus text exposition offers: those of its samples, and those its `# TYPE` lines
 * declare (a labelled counter with no value yet has no sample line but is exported all the same) —
 * `<name>_bucket`, `_sum` and `_count` for a histogram, `_sum` and `_count` for a summary.
 */
export function declaredNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const sample = /^([A-Za-z_:][\w:]*)[{\s]/u.exec(line)?.[1];
    if (sample !== undefined) names.add(sample);
    const [, name, type] = /^# TYPE ([A-Za-z_:][\w:]*) (\w+)/u.exec(line) ?? [];
    if (name === undefined) continue;
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(`${name}${suffix}`);
    else names.add(name);
  }
  return names;
}
