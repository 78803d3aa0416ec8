import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { loadCatalog } from '../../src/main/models/catalog.js'
import { aipgWorkerArgs, runGridforge } from '../support/cliRun.js'
import { tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
let grid: DevGrid
afterEach(() => grid?.close())
afterAll(() => temp.cleanup())

const gridforge = (args: string[]) => runGridforge(temp.dir, args)

function keyFile(key: string): string {
  const file = join(temp.dir, `key-${key.length}`)
  writeFileSync(file, `${key}\n`)
  return file
}

describe('gridforge worker', () => {
  it.each(['aipg', 'horde'] as const)('earns on %s: a line per job, a summary, exit 0 after --max-jobs', async (network) => {
    grid = await startDevGrid({ mode: network })
    for (let i = 0; i < 2; i++) {
      const request = { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 40 }
      if (network === 'aipg') grid.enqueueAipg({ request })
      else grid.enqueueHorde({ payload: { prompt: 'Once upon a time', max_length: 40 } })
    }
    const result = await gridforge([
      'worker',
      '--network',
      network,
      '--grid-url',
      grid.url,
      '--api-key-file',
      keyFile('dev-key-alice'),
      '--model',
      'stories260K',
      '--name',
      `cli-${network}`,
      '--max-jobs',
      '2',
    ])
    expect(result.stderr).not.toMatch(/Error|at .*\.js/)
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split('\n')
    const jobLines = lines.filter((line) => / tokens .* tok\/s .* reward [\d.]+ {2}ok$/.test(line))
    expect(jobLines).toHaveLength(2)
    expect(lines.at(-1)).toMatch(/^Summary: 2 jobs \(2 ok\), \d+ tokens, rewards [\d.]+$/)
    expect(result.stdout).not.toContain('Once upon a time')
  })

  it('loads each slot with the --max-context it advertises: a longer job is refused in one sentence, the next runs', async () => {
    grid = await startDevGrid({ mode: 'aipg' })
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ')
    const refused = grid.enqueueAipg({ request: { messages: [{ role: 'user', content: long }], max_tokens: 16 } })
    const served = grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 16 } })
    const result = await gridforge(
      aipgWorkerArgs(grid.url, keyFile('dev-key-alice'), 'cli-context', ['--max-context', '300', '--max-jobs', '2']),
    )
    expect(result.code).toBe(0)
    expect(grid.aipg.registrations.at(-1)).toMatchObject({ max_context_length: 300 })
    // 300 tokens padded to llama.cpp's 256: the story model (trained on 2,048) holds 512 per sequence.
    expect(grid.aipg.results.get(refused)?.error).toMatchObject({
      client_error: true,
      message: expect.stringMatching(/^The request needs about \d+ tokens of context; the loaded model holds 512\.$/),
    })
    expect(grid.aipg.results.get(served)?.done).toBeTruthy()
  })

  it("advertises a catalog model under the catalog's grid name, not its file name", async () => {
    const entry = loadCatalog()[0]!
    copyFileSync(temp.model, join(temp.dir, 'models', entry.fileName))
    grid = await startDevGrid({ mode: 'aipg' })
    grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Hi' }], max_tokens: 8 } })
    const result = await gridforge([
      'worker',
      '--network',
      'aipg',
      '--grid-url',
      grid.url,
      '--api-key-file',
      keyFile('dev-key-alice'),
      '--model',
      entry.fileName,
      '--name',
      'cli-catalog',
      '--max-jobs',
      '1',
    ])
    expect(result.code).toBe(0)
    expect(grid.aipg.registrations.at(-1)).toMatchObject({ name: 'cli-catalog', models: [entry.advertised.aipg] })
  })

  it.each([
    ['a bad key', ['--api-key-file', 'KEY:wrong-key-123'], /API key was refused/],
    ['a name owned by someone else', ['--name', 'taken-name'], /refused this worker|another account/],
    ['an unknown model file', ['--model', 'no-such-model'], /No model file "no-such-model"/],
    ['a missing key file', ['--api-key-file', '/nonexistent/key'], /Cannot read the API key file/],
    ['an unknown network', ['--network', 'bitcoin'], /--network must be aipg or horde/],
  ])('exits non-zero with one sentence on %s', async (_name, override, message) => {
    grid = await startDevGrid({ mode: 'aipg', ownedNames: { 'taken-name': 'bob#2' } })
    const options: Record<string, string> = {
      '--network': 'aipg',
      '--grid-url': grid.url,
      '--api-key-file': keyFile('dev-key-alice'),
      '--model': 'stories260K',
      '--name': 'cli-errors',
    }
    options[override[0]!] = override[1]!.startsWith('KEY:') ? keyFile(override[1]!.slice(4)) : override[1]!
    const result = await gridforge(['worker', ...Object.entries(options).flat()])
    expect(result.code).toBe(2)
    const errorLines = result.stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('gridforge:'))
    expect(errorLines).toHaveLength(1)
    expect(errorLines[0]).toMatch(message)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })
})
