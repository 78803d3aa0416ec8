/** One benchmark result, printed as a table row and as one JSON line. */
export interface Metric {
  metric: string
  value: number | null
  unit: string
  /** Human-readable target such as ">= 0.95"; absent for numbers reported without a target. */
  target?: string
  pass?: boolean
  note?: string
}

/** The median of the samples (the mean of the two middle ones for an even count). */
export function median(samples: number[]): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Checks a value against a target of the form ">= 0.95" or "<= 0.6". */
export function check(value: number | null, target: string): boolean | undefined {
  if (value === null || !Number.isFinite(value)) return undefined
  const match = /^(>=|<=|<|>)\s*(-?[\d.]+)/.exec(target)
  if (!match) return undefined
  const bound = Number(match[2])
  switch (match[1]) {
    case '>=':
      return value >= bound
    case '<=':
      return value <= bound
    case '>':
      return value > bound
    default:
      return value < bound
  }
}

/** Builds a metric, computing `pass` from its target. */
export function metric(name: string, value: number | null, unit: string, target?: string, note?: string): Metric {
  const rounded = value === null || !Number.isFinite(value) ? null : Math.round(value * 1000) / 1000
  return { metric: name, value: rounded, unit, ...(target ? { target, pass: check(rounded, target) } : {}), ...(note ? { note } : {}) }
}

/** Renders the metrics as an aligned text table. */
export function table(metrics: Metric[]): string {
  const rows = metrics.map((m) => [
    m.metric,
    m.value === null ? 'n/a' : String(m.value),
    m.unit,
    m.target ?? '',
    m.pass === undefined ? '' : m.pass ? 'pass' : 'FAIL',
    m.note ?? '',
  ])
  const header = ['metric', 'value', 'unit', 'target', 'result', 'note']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}
