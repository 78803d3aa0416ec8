import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { READINESS_FAMILIES } from '../../src/shared/readiness.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { runGridforge } from '../support/cliRun.js'
import { tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
let grid: DevGrid | undefined
afterEach(() => grid?.close())
afterAll(() => temp.cleanup())

const gridforge = (args: string[]) => runGridforge(temp.dir, args)

describe('gridforge worker --self-test', () => {
  it('runs every family on the real engine, prints the table and says the story model is not ready (exit 1), without contacting the grid', async () => {
    grid = await startDevGrid({ mode: 'aipg' })
    const result = await gridforge([
      'worker',
      '--self-test',
      '--model',
      'stories260K',
      '--seed',
      '42',
      '--grid-url',
      grid.url,
      '--max-length',
      '256',
    ])
    expect(result.stderr).not.toMatch(/Error|at .*\.js/)
    expect(result.code).toBe(1)
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^family\s+result\s+time\s+tokens\s+why$/)
    const rows = lines.slice(1, 1 + READINESS_FAMILIES.length)
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([...READINESS_FAMILIES])
    for (const row of rows) {
      const [family, verdict] = row.split(/\s+/)
      // The model's context (2,048 on the story model) is what is advertised, so no context probe is sent.
      if (family!.startsWith('context.')) expect(row).toMatch(/- +sent only to workers advertising a context of [\d,]+ or more$/)
      else expect(['pass', 'SLOW', 'FAIL']).toContain(verdict)
    }
    // A story model cannot echo a hex token; that it fails shows the scorer read a real answer.
    expect(rows[0]).toMatch(/^echo\s+FAIL\s+[\d.]+ s\s+\d+\s+\S/)
    expect(result.stdout).toMatch(/^Decode speed: [\d.]+ tokens\/s\. Largest context passed: none \(advertised [\d,]+\)\. Seed 42\.$/m)
    expect(lines.at(-1)).toMatch(/^Not ready for the grid: \d+ famil(y|ies) failed\.$/)
    expect(result.stderr).toMatch(/\[13\/13\] context\.retrieve\.32k: skipped/)
    expect(grid.aipg.registrations).toEqual([])
  })

  it('sends the same probes for the same seed', async () => {
    const first = await gridforge(['worker', '--self-test', '--model', 'stories260K', '--seed', '7', '--max-length', '64'])
    const second = await gridforge(['worker', '--self-test', '--model', 'stories260K', '--seed', '7', '--max-length', '64'])
    const verdicts = (stdout: string) =>
      stdout
        .split('\n')
        .slice(1, 14)
        .map((row) => row.replace(/\s+[\d.]+ s\s+/, ' '))
    expect(verdicts(first.stdout)).toEqual(verdicts(second.stdout))
  })
})
