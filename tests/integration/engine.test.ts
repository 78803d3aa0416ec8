import { writeFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { engineEntry, requireBuild, tempDataDir } from '../support/paths.js'

const temp = tempDataDir()
let engine: EngineSupervisor

beforeAll(async () => {
  requireBuild()
  engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }) })
  await engine.start()
})
afterAll(async () => {
  await engine.close()
  temp.cleanup()
})

const story = { kind: 'completion', prompt: 'Once upon a time', params: { maxTokens: 48, temperature: 0 } } as const

describe('the engine process on the test model', () => {
  it('loads a model by path with progress and picks one thread for a tiny model', async () => {
    const progress: number[] = []
    const unsubscribe = engine.subscribe((s) => s.loading && progress.push(s.loading.progress))
    const model = await engine.load(temp.model)
    unsubscribe()
    expect(model).toMatchObject({ fileName: 'stories260K.gguf', architecture: 'llama', hasChatTemplate: false, threads: 1, gpuLayers: 0 })
    expect(progress.at(-1)).toBe(1)
    expect(engine.snapshot().state).toBe('ready')
  })

  it('streams a story continuation in several batches and counts its tokens', async () => {
    const chunks: string[] = []
    const result = await engine.generate(
      { ...story, params: { maxTokens: 400, temperature: 0, ignoreEos: true } },
      { onText: (t) => chunks.push(t) },
    )
    expect(result.finishReason).toBe('length')
    expect(result.completionTokens).toBeGreaterThan(300)
    expect(chunks.join('')).toBe(result.text)
    expect(result.text).toMatch(/[a-z]+ [a-z]+/)
  })

  it('gives the same text for the same prompt at temperature 0', async () => {
    const a = await engine.generate(story)
    const b = await engine.generate(story)
    expect(a.text).toBe(b.text)
    expect(a.text.length).toBeGreaterThan(10)
  })

  it('chats through plain continuation when the model has no chat template', async () => {
    const result = await engine.generate({
      kind: 'chat',
      turns: [{ role: 'user', content: 'Once upon a time' }],
      params: { maxTokens: 24, temperature: 0 },
    })
    expect(result.text.trim().length).toBeGreaterThan(0)
    expect(result.text).toBe((await engine.generate(story)).text.slice(0, result.text.length))
  })

  it('stops when aborted and keeps the partial text', async () => {
    const controller = new AbortController()
    let received = ''
    const result = await engine.generate(
      { kind: 'completion', prompt: 'Once upon a time', params: { maxTokens: 1500, ignoreEos: true } },
      {
        signal: controller.signal,
        onText: (text) => {
          received += text
          controller.abort()
        },
      },
    )
    expect(result.finishReason).toBe('abort')
    expect(received.length).toBeGreaterThan(0)
    expect(result.completionTokens).toBeLessThan(1500)
    expect(result.text.startsWith(received)).toBe(true)
  })

  it('serves several callers at once with the one loaded model', async () => {
    const results = await Promise.all([engine.generate(story), engine.generate(story)])
    expect(results[0].text.length).toBeGreaterThan(10)
    expect(results[0].text).toBe(results[1].text)
  })

  it.each([
    ['a missing file', () => join(temp.dir, 'missing.gguf'), 'NOT_FOUND', /No model file/],
    ['a file that is not GGUF', () => write('notes.gguf', 'hello, I am not a model'), 'MODEL_INVALID', /not a valid GGUF/],
    ['a truncated GGUF', () => write('truncated.gguf', readFileSync(temp.model).subarray(0, 400_000)), 'MODEL_INVALID', /incomplete/],
  ])('refuses %s with a clear error and keeps running', async (_name, file, code, message) => {
    const error = await engine.load(file()).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: expect.stringMatching(code) })
    expect((error as Error).message).toMatch(message)
    await expectUsableAfterwards()
  })

  it('survives the engine process being killed: reports it, restarts and reloads the model', async () => {
    await engine.load(temp.model)
    const pid = engine.processId()!
    const pending = engine.generate({ kind: 'completion', prompt: 'Once upon a time', params: { maxTokens: 100_000, ignoreEos: true } })
    await new Promise((r) => setTimeout(r, 100))
    process.kill(pid, 'SIGKILL')
    await expect(pending).rejects.toMatchObject({ code: 'ENGINE_CRASHED' })
    await until(() => engine.snapshot().state === 'ready')
    expect(engine.processId()).not.toBe(pid)
    expect(engine.snapshot()).toMatchObject({ restarts: 1, model: { fileName: 'stories260K.gguf' } })
    expect(engine.snapshot().notice).toMatch(/restarted/)
    expect((await engine.generate(story)).text.length).toBeGreaterThan(10)
  })

  it('unloads', async () => {
    await engine.unload()
    expect(engine.snapshot()).toMatchObject({ state: 'idle', model: null })
    await expect(engine.generate(story)).rejects.toMatchObject({ code: 'NO_MODEL' })
  })
})

function write(name: string, content: string | Buffer): string {
  const path = join(temp.dir, name)
  writeFileSync(path, content)
  return path
}

async function expectUsableAfterwards(): Promise<void> {
  await until(() => engine.snapshot().state === 'idle' || engine.snapshot().state === 'ready')
  await engine.load(temp.model)
  expect((await engine.generate(story)).text.length).toBeGreaterThan(10)
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !check(); i++) await new Promise((r) => setTimeout(r, 50))
  expect(check()).toBe(true)
}
