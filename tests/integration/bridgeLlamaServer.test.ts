import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBridge, type Bridge } from '../../src/worker/bridge/bridge.js'
import { createWorker } from '../../src/worker/jobLoop.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'
import { llamaServerBinary, startLlamaServer, type LlamaServer } from '../support/llamaServer.js'
import { tinyModel } from '../support/paths.js'
import { MemoryLedger } from '../support/workerFakes.js'

/**
 * Against llama.cpp's real `llama-server`, built from the source node-llama-cpp ships. The build takes
 * minutes, so it is cached in .cache/llama-server and made only with GRIDFORGE_LLAMA_SERVER=1; without a
 * cached binary (or without cmake and a compiler) the file prints one line and skips.
 */
const found = await llamaServerBinary()
if ('skip' in found) process.stderr.write(`${found.skip}\n`)

describe.skipIf('skip' in found)("a bridged worker in front of llama.cpp's llama-server", () => {
  let server: LlamaServer
  let grid: DevGrid
  let bridge: Bridge

  beforeAll(async () => {
    server = await startLlamaServer((found as { bin: string }).bin, tinyModel, ['--alias', 'stories260K'])
    grid = await startDevGrid({ mode: 'both' })
    bridge = await openBridge({ kind: 'openai', url: server.url, model: 'stories260K' })
    await bridge.health.check()
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
    grid?.close()
  })

  const ledger = new MemoryLedger()
  const worker = (network: 'aipg' | 'horde', name: string) =>
    createWorker(
      {
        network,
        gridUrl: grid.url,
        apiKey: 'dev-key-alice',
        name,
        models: [network === 'aipg' ? 'grid/stories260K' : 'koboldcpp/stories260K'],
        slots: 1,
        maxLength: 64,
        maxContextLength: bridge.capabilities.contextLength ?? 1024,
        maxJobs: 1,
        agent: 'GridForge:0.0.0-test:x',
      },
      { engine: bridge.engine, ledger, gate: bridge.health.gate },
    )

  it('probes streaming and the real context the server runs the model with (/props)', () => {
    expect(bridge.capabilities).toMatchObject({ streaming: true, contextLength: 1024, contextSource: '/props' })
  })

  it('answers an AIPG chat job with the tokens llama-server streamed, and its usage', async () => {
    const job = grid.enqueueAipg({ request: { messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 24, temperature: 0 } })
    expect(await worker('aipg', 'llama-server-aipg').run()).toMatchObject({ reason: 'max-jobs' })
    const answer = grid.aipg.results.get(job)!
    expect(answer.error).toBeUndefined()
    expect(answer.text.length).toBeGreaterThan(0)
    expect(answer.finishReason).toMatch(/^(stop|length)$/)
    expect(answer.done).toMatchObject({ full_text: answer.text, usage: { completion_tokens: expect.any(Number) } })
    expect(grid.aipg.strikes.has('llama-server-aipg')).toBe(false)
  })

  it('answers a Horde prompt through /v1/completions, stopping at the length asked for', async () => {
    const [job] = grid.enqueueHorde({ payload: { prompt: 'Once upon a time', max_length: 16, max_context_length: 512 } })
    expect(await worker('horde', 'llama-server-horde').run()).toMatchObject({ reason: 'max-jobs' })
    const submitted = grid.horde.submits.find((submit) => submit.body.id === job)
    expect(String(submitted?.body.generation ?? '').length).toBeGreaterThan(0)
    expect(ledger.get(job!, 'horde')).toMatchObject({ state: 'ok', completionTokens: expect.any(Number) })
    expect(ledger.get(job!, 'horde')!.completionTokens).toBeGreaterThan(0)
    expect(ledger.get(job!, 'horde')!.completionTokens).toBeLessThanOrEqual(16)
  })

  it('refuses a model name the server does not serve, saying which one it serves', async () => {
    await expect(openBridge({ kind: 'openai', url: server.url, model: 'llama3' })).rejects.toThrow(
      'The inference server does not serve "llama3"; it serves stories260K.',
    )
  })
})
