/**
 * The metric names a PromQL expression reads, without a PromQL parser: label matchers, grouping
 * clauses, strings, ranges and Grafana's `$variables` are cut first; what is left is functions
 * (followed by `(`), keywords, numbers and metric names. Good enough for our rules and dashboards,
 * whose expressions the Prometheus test parses for real.
 */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
]);

export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (call || KEYWORDS.has(name!.toLowerCase())) continue;
    names.add(name!);
  }
  return [...names];
}

/** A histogram's or summary's series name back to the metric that defines it. */
export function baseName(series: string): string {
  return series.replace(/_(bucket|count|sum)$/, '');
}
