/** The invariant checker's report as people read it: one table row per invariant, then the first findings. */
import type { CheckReport } from './run';

/** Pads a table's cells to their column's width; numbers align right. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (/^\d+$/.test(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** The report as text: the table, at most `limit` findings (violations before warnings), and a verdict. */
export function formatReport(report: CheckReport, limit: number): string {
  const rows = [
    ['invariant', 'checked', 'violations', 'warnings', 'rule'],
    ...report.summary.map((s) => [s.invariant, String(s.checked), String(s.violations), String(s.warnings), s.rule]),
  ];
  const lines = [`Order Hub invariants, checked at ${report.checkedAt}`, '', ...table(rows)];
  const violations = report.summary.reduce((sum, s) => sum + s.violations, 0);
  const warnings = report.summary.reduce((sum, s) => sum + s.warnings, 0);
  const shown = report.findings.slice(0, limit);
  if (shown.length > 0) {
    lines.push('', `First ${shown.length} of ${violations + warnings} finding(s):`);
    for (const f of shown)
      lines.push(`  ${f.severity === 'warning' ? 'warning  ' : 'VIOLATION'}  ${f.invariant}  ${f.subject}: ${f.detail}`);
  }
  const broken = report.summary.filter((s) => s.violations > 0).map((s) => s.invariant);
  lines.push(
    '',
    report.ok
      ? `OK: every invariant holds${warnings > 0 ? ` (${warnings} warning(s))` : ''}.`
      : `FAILED: ${violations} violation(s) of ${broken.join(', ')}${warnings > 0 ? `, and ${warnings} warning(s)` : ''}.`,
  );
  return lines.join('\n');
}
