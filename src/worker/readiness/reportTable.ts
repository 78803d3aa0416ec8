import type { ReadinessReport, ReadinessVerdict } from '../../shared/readiness.js'

const VERDICT_WORDS: Record<ReadinessVerdict, string> = { pass: 'pass', slow: 'SLOW', fail: 'FAIL', skipped: '-' }

/** The report as a plain-text table, for the terminal. */
export function formatReadinessTable(report: ReadinessReport): string {
  const rows = report.results.map((r) => [
    r.family,
    VERDICT_WORDS[r.verdict],
    r.durationMs === null ? '' : `${(r.durationMs / 1000).toFixed(1)} s`,
    r.verdict === 'skipped' ? '' : String(r.completionTokens),
    r.reason ?? '',
  ])
  const header = ['family', 'result', 'time', 'tokens', 'why']
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd()
  const failed = report.results.filter((r) => r.verdict === 'fail').length
  const slow = report.results.filter((r) => r.verdict === 'slow').length
  const speed = report.tokensPerSecond === null ? 'unknown' : `${report.tokensPerSecond.toFixed(1)} tokens/s`
  const context = report.largestContextPassed === null ? 'none' : `${report.largestContextPassed.toLocaleString('en-US')} tokens`
  return [
    line(header),
    ...rows.map(line),
    '',
    `Decode speed: ${speed}. Largest context passed: ${context} (advertised ${report.maxContextLength.toLocaleString('en-US')}). Seed ${report.seed}.`,
    report.ready
      ? `Ready for the grid${slow ? `, but ${slow} famil${slow === 1 ? 'y is' : 'ies are'} slow (over 30 s)` : ''}.`
      : `Not ready for the grid: ${failed} famil${failed === 1 ? 'y' : 'ies'} failed.`,
  ].join('\n')
}
