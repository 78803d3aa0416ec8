import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backendsWorkerArgs, ledgerIn, privateFile, runGridforge } from '../support/cliRun.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { requireBuild, tempDataDir } from '../support/paths.js'
import { healthyRoutes, startScriptedServer, type ScriptedServer } from '../support/scriptedOpenAi.js'

const temp = tempDataDir()
let vllm: ScriptedServer
let ollama: ScriptedServer
let grid: DevGrid

beforeAll(async () => {
  requireBuild()
  vllm = await startScriptedServer(healthyRoutes('qwen3-27b', 'from vLLM'))
  ollama = await startScriptedServer(healthyRoutes('llama3', 'from Ollama'))
  grid = await startDevGrid({ mode: 'aipg' })
})
afterAll(async () => {
  await vllm?.close()
  await ollama?.close()
  await grid?.close()
  temp.cleanup()
})

const file = (name: string, text: string) => privateFile(temp.dir, name, text)
const args = (backends: string) => backendsWorkerArgs(backends, grid.url, file('grid-key', 'dev-key-alice'), 'multi', ['--max-jobs', '1'])

describe('gridforge worker --backends-file: several servers at once', () => {
  it('serves each model from its own server under its own worker name and slots, on one ledger', async () => {
    const backends = file(
      'backends.json',
      JSON.stringify([
        { backend: 'openai', url: `${vllm.origin}/v1`, model: 'qwen3-27b', slots: 2 },
        { backend: 'openai', url: `${ollama.origin}/v1`, model: 'llama3' },
      ]),
    )
    const big = grid.enqueueAipg({ model: 'qwen3-27b', request: { messages: [{ role: 'user', content: 'Hi' }], max_tokens: 16 } })
    const small = grid.enqueueAipg({ model: 'grid/llama3', request: { messages: [{ role: 'user', content: 'Hi' }], max_tokens: 16 } })
    const result = await runGridforge(temp.dir, args(backends))
    expect(result.stderr).not.toMatch(/\n\s+at /)
    expect(result.code).toBe(0)
    expect(grid.aipg.results.get(big)!.text).toBe('from vLLM')
    expect(grid.aipg.results.get(small)!.text).toBe('from Ollama')
    const registered = grid.aipg.registrations.map((frame) => `${String(frame.name)} ${JSON.stringify(frame.models)}`)
    expect(registered).toContain('multi-llama3 ["grid/llama3"]')
    // qwen3-27b is a den registry name, so it is advertised exactly (§16.5); llama3 is not, so it stays grid/llama3.
    // Two slots for the first server: each registers under its own name (one may end before it connects, at --max-jobs 1).
    expect(registered.filter((line) => /^multi-qwen3-27b-[12] \["qwen3-27b"\]$/.test(line)).length).toBeGreaterThan(0)
    expect(registered.every((line) => !line.startsWith('multi-qwen3-27b '))).toBe(true)
    expect(result.stderr).toMatch(/Worker "multi-qwen3-27b" on aipg with qwen3-27b through .* \(2 slots,/)
    expect(
      ledgerIn(temp.dir)
        .filter((row) => row.state === 'ok')
        .map((row) => row.jobId)
        .sort(),
    ).toEqual([big, small].sort())
  })

  it('refuses a file that is not a list of backends, or names one model twice, in one sentence', async () => {
    const broken = await runGridforge(temp.dir, args(file('broken.json', JSON.stringify([{ backend: 'openai', url: 'x' }]))))
    expect(broken.code).toBe(2)
    expect(broken.stderr.trim()).toMatch(
      /^gridforge: --backends-file .*broken\.json: entry 1, model: .*expected string.* \(a list of \{backend, url, model/,
    )
    const twice = file(
      'twice.json',
      JSON.stringify([
        { backend: 'openai', url: `${vllm.origin}/v1`, model: 'qwen3-27b' },
        { backend: 'openai', url: `${vllm.origin}/v1`, model: 'qwen3-27b' },
      ]),
    )
    const doubled = await runGridforge(temp.dir, args(twice))
    expect(doubled.code).toBe(2)
    expect(doubled.stderr.trim()).toMatch(/two entries serve the same model \(worker name "multi-qwen3-27b"\)/)
    const wrong = file('wrong.json', JSON.stringify([{ backend: 'openai', url: `${ollama.origin}/v1`, model: 'mistral' }]))
    const unknown = await runGridforge(temp.dir, args(wrong))
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim()).toBe(
      'gridforge: --backends-file entry 1: The inference server does not serve "mistral"; it serves llama3.',
    )
  })
})
