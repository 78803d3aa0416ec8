/** One sample of the Prometheus text format: its name, labels and value. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

/** Parses the samples of a scrape (comments skipped); enough for `gridforge status` to read its own metrics. */
export function parseMetricsText(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const match = SAMPLE.exec(line)
    if (!match) continue
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL))
      labels[key!] = value!.replace(/\\(.)/g, (_all, char: string) => (char === 'n' ? '\n' : char))
    samples.push({ name: match[1]!, labels, value: Number(match[3]) })
  }
  return samples
}
