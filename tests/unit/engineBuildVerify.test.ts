import { describe, expect, it } from 'vitest'
import { smallestModel, verifyEngineBuild } from '../../src/main/engine/engineBuildVerify.js'
import type { EngineProcess, EngineReply, EngineRequest } from '../../src/main/engine/protocol.js'

/** An engine process that answers each request through `script`, as the real one does over IPC. */
function fakeEngine(script: (request: EngineRequest, reply: (message: EngineReply) => void, exit: (reason: string) => void) => void) {
  const listeners: Array<(message: EngineReply) => void> = []
  const exits: Array<(reason: string) => void> = []
  let killed = false
  const reply = (message: EngineReply) => queueMicrotask(() => listeners.forEach((listener) => listener(message)))
  const exit = (reason: string) => queueMicrotask(() => exits.forEach((listener) => listener(reason)))
  const engine: EngineProcess = {
    pid: 1,
    send: (request) => script(request, reply, exit),
    onMessage: (listener) => listeners.push(listener),
    onExit: (listener) => exits.push(listener),
    kill: () => {
      killed = true
    },
  }
  return { launch: () => (reply({ type: 'ready', gpu: null, cpuMathCores: 2 }), engine), killed: () => killed }
}

const result = { text: ' there', finishReason: 'length', promptTokens: 4, completionTokens: 4, durationMs: 9, firstTokenMs: 2 } as const
const timeouts = { startMs: 1000, loadMs: 1000, generateMs: 1000 }

describe('the check of a new engine build', () => {
  it('passes once the engine on the build loads the model and answers with tokens, streamed text first', async () => {
    const engine = fakeEngine((request, reply) => {
      if (request.type === 'load') {
        reply({ type: 'progress', id: request.id, progress: 0.5 })
        reply({ type: 'done', id: request.id, value: null })
      }
      if (request.type === 'generate') {
        reply({ type: 'text', id: request.id, text: ' there', tokens: 1 })
        reply({ type: 'done', id: request.id, value: result })
      }
    })
    expect(await verifyEngineBuild(engine.launch, '/models/tiny.gguf', timeouts)).toEqual({
      ok: true,
      verifiedWith: 'tiny.gguf',
      tokens: 4,
    })
    expect(engine.killed()).toBe(true)
  })

  it('fails, in one sentence, when the engine process dies on the build', async () => {
    const engine = fakeEngine((request, _reply, exit) => request.type === 'load' && exit('signal SIGILL'))
    expect(await verifyEngineBuild(engine.launch, '/models/tiny.gguf', timeouts)).toEqual({
      ok: false,
      message:
        'The optimized engine failed its check: the engine process ended while using it (signal SIGILL); the standard engine stays in use.',
    })
  })

  it('fails when generating answers with an error or hangs', async () => {
    const failing = fakeEngine((request, reply) =>
      reply(
        request.type === 'load'
          ? { type: 'done', id: request.id, value: null }
          : { type: 'failed', id: request.id, error: { code: 'INTERNAL', message: 'ggml_abort' } },
      ),
    )
    expect(await verifyEngineBuild(failing.launch, '/models/tiny.gguf', timeouts)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/generating failed: ggml_abort/),
    })
    const hanging = fakeEngine(() => undefined)
    expect(await verifyEngineBuild(hanging.launch, '/models/tiny.gguf', { ...timeouts, loadMs: 20 })).toMatchObject({
      message: expect.stringMatching(/loading the model took longer than 0 s/),
    })
  })

  it('checks the smallest model present', () => {
    expect(
      smallestModel([
        { path: '/big.gguf', sizeBytes: 9, present: true },
        { path: '/gone.gguf', sizeBytes: 1, present: false },
        { path: '/small.gguf', sizeBytes: 3, present: true },
      ]),
    ).toBe('/small.gguf')
    expect(smallestModel([])).toBeNull()
  })
})
