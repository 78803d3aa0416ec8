import { describe, expect, it } from 'vitest'
import type { EngineProcess, EngineReply, EngineRequest } from '../../src/main/engine/protocol.js'
import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { loadedModelAt } from '../support/fakeEngine.js'

/** A scripted engine process: answers like the real one, and can die on demand. */
class FakeProcess implements EngineProcess {
  readonly pid = Math.floor(Math.random() * 1e6)
  readonly received: EngineRequest[] = []
  private messageListener: (message: EngineReply) => void = () => undefined
  private exitListener: (reason: string) => void = () => undefined
  constructor(private readonly script: (request: EngineRequest, reply: (m: EngineReply) => void) => void) {
    queueMicrotask(() => this.messageListener({ type: 'ready', gpu: null, cpuMathCores: 2 }))
  }
  send(message: EngineRequest): void {
    this.received.push(message)
    queueMicrotask(() => this.script(message, (reply) => this.messageListener(reply)))
  }
  onMessage(listener: (message: EngineReply) => void): void {
    this.messageListener = listener
  }
  onExit(listener: (reason: string) => void): void {
    this.exitListener = listener
  }
  kill(): void {
    this.die('signal SIGKILL')
  }
  die(reason: string): void {
    queueMicrotask(() => this.exitListener(reason))
  }
}

const model = (path: string) => loadedModelAt(path)

function harness(script?: (request: EngineRequest, reply: (m: EngineReply) => void, proc: FakeProcess) => void) {
  const processes: FakeProcess[] = []
  const supervisor = new EngineSupervisor({
    launch: () => {
      const proc: FakeProcess = new FakeProcess((request, reply) => {
        if (script) return script(request, reply, proc)
        if (request.type === 'load') reply({ type: 'done', id: request.id, value: model(request.path) })
        if (request.type === 'generate') {
          reply({ type: 'text', id: request.id, text: 'Hello', tokens: 1 })
          reply({
            type: 'done',
            id: request.id,
            value: { text: 'Hello', finishReason: 'stop', promptTokens: 1, completionTokens: 1, durationMs: 1, firstTokenMs: 1 },
          })
        }
      })
      processes.push(proc)
      return proc
    },
  })
  return { supervisor, processes }
}

const fit = { kind: 'cpu', gpuLayers: 0, totalLayers: 1, contextSize: 256, ramBytes: 1, vramBytes: 0, note: null } as const
const hardware = { gpu: null, gpuNames: [], vramTotalBytes: 0, vramFreeBytes: 0, ramTotalBytes: 1, ramFreeBytes: 1, cpuCores: 2 }

/** A small deterministic generator (mulberry32): the same seed gives the same interleaving. */
function seededRandom(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5))
  expect(check()).toBe(true)
}

describe('the engine supervisor', () => {
  it('routes reasoning and tool-call pieces to their own handlers, in order, never as text', async () => {
    const delta = { index: 0, id: 'call_1', name: 'f', argumentsText: '{"a":' }
    const { supervisor } = harness((request, reply) => {
      if (request.type === 'load') reply({ type: 'done', id: request.id, value: model(request.path) })
      if (request.type === 'generate') {
        reply({ type: 'reasoning', id: request.id, text: 'Thinking', tokens: 1 })
        reply({ type: 'toolCall', id: request.id, delta, tokens: 2 })
        reply({ type: 'toolCall', id: request.id, delta: { ...delta, argumentsText: '1}' }, tokens: 3 })
        reply({
          type: 'done',
          id: request.id,
          value: {
            text: '',
            reasoning: 'Thinking',
            toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }],
            finishReason: 'tool-calls',
            promptTokens: 1,
            completionTokens: 3,
            durationMs: 1,
            firstTokenMs: 1,
          },
        })
      }
    })
    await supervisor.load('/models/a.gguf')
    const seen: string[] = []
    const result = await supervisor.generate(
      { kind: 'chat', turns: [{ role: 'user', content: 'x' }], params: { maxTokens: 4 } },
      {
        onText: (t) => seen.push(`text:${t}`),
        onReasoning: (t) => seen.push(`reasoning:${t}`),
        onToolCall: (d) => {
          seen.push(`call:${d.id}:${d.argumentsText}`)
          if (d.argumentsText === '1}') throw new Error('a closed socket')
        },
      },
    )
    expect(seen).toEqual(['reasoning:Thinking', 'call:call_1:{"a":', 'call:call_1:1}'])
    expect(result).toMatchObject({ finishReason: 'tool-calls', toolCalls: [{ arguments: '{"a":1}' }] })
  })

  it('loads, streams and reports the model in its snapshot', async () => {
    const { supervisor } = harness()
    await supervisor.load('/models/a.gguf')
    expect(supervisor.snapshot()).toMatchObject({ state: 'ready', model: { fileName: 'a.gguf' } })
    const chunks: string[] = []
    const result = await supervisor.generate(
      { kind: 'completion', prompt: 'Hi', params: { maxTokens: 4 } },
      { onText: (t) => chunks.push(t) },
    )
    expect(result.text).toBe('Hello')
    expect(chunks).toEqual(['Hello'])
  })

  it('refuses to generate without a model, with a clear error', async () => {
    const { supervisor } = harness()
    await expect(supervisor.generate({ kind: 'completion', prompt: 'x', params: { maxTokens: 1 } })).rejects.toMatchObject({
      code: 'NO_MODEL',
    })
  })

  it('fails in-flight work when the process dies, restarts it and reloads the model', async () => {
    let generateSeen = false
    const { supervisor, processes } = harness((request, reply) => {
      if (request.type === 'load') reply({ type: 'done', id: request.id, value: model(request.path) })
      if (request.type === 'generate') generateSeen = true
    })
    await supervisor.load('/models/a.gguf')
    const pending = supervisor.generate({ kind: 'completion', prompt: 'x', params: { maxTokens: 9 } })
    await until(() => generateSeen)
    processes[0]!.die('signal SIGKILL')
    await expect(pending).rejects.toMatchObject({ code: 'ENGINE_CRASHED' })
    await until(() => supervisor.snapshot().state === 'ready')
    expect(processes).toHaveLength(2)
    expect(processes[1]!.received[0]).toMatchObject({ type: 'load', path: '/models/a.gguf' })
    expect(supervisor.snapshot()).toMatchObject({ restarts: 1, model: { fileName: 'a.gguf' } })
    expect(supervisor.snapshot().notice).toMatch(/stopped unexpectedly/)
  })

  it('does not reload a model that crashed the engine while loading', async () => {
    const { supervisor, processes } = harness((request, _reply, proc) => {
      if (request.type === 'load') proc.die('code 134')
    })
    await expect(supervisor.load('/models/broken.gguf')).rejects.toMatchObject({ code: 'ENGINE_CRASHED' })
    await until(() => supervisor.snapshot().state === 'idle')
    expect(supervisor.snapshot().notice).toMatch(/while loading broken\.gguf/)
    expect(processes[1]?.received ?? []).toEqual([])
  })

  it('does not reload a model that made the engine die by itself, and names it', async () => {
    let generateSeen = false
    const { supervisor, processes } = harness((request, reply) => {
      if (request.type === 'load') reply({ type: 'done', id: request.id, value: model(request.path) })
      if (request.type === 'generate') generateSeen = true
    })
    await supervisor.load('/models/hostile.gguf')
    const pending = supervisor.generate({ kind: 'chat', turns: [{ role: 'user', content: 'x' }], params: { maxTokens: 9 } })
    await until(() => generateSeen)
    processes[0]!.die('signal SIGABRT')
    await expect(pending).rejects.toMatchObject({ code: 'ENGINE_CRASHED' })
    await until(() => processes.length === 2 && supervisor.snapshot().state === 'idle')
    expect(processes[1]!.received).toEqual([])
    expect(supervisor.snapshot()).toMatchObject({ model: null, restarts: 1 })
    expect(supervisor.snapshot().notice).toMatch(/while running hostile\.gguf, which was not loaded again/)
  })

  it('reloads a model after the engine was killed from outside only once', async () => {
    const { supervisor, processes } = harness()
    await supervisor.load('/models/a.gguf')
    processes[0]!.die('signal SIGKILL')
    await until(() => processes.length === 2 && supervisor.snapshot().state === 'ready')
    processes[1]!.die('signal SIGKILL')
    await until(() => processes.length === 3 && supervisor.snapshot().state === 'idle')
    expect(processes[2]!.received).toEqual([])
    expect(supervisor.snapshot().notice).toMatch(/while running a\.gguf/)
  })

  it('keeps the model asked for right after a crash: the old one never replaces it', async () => {
    const held: Array<() => void> = []
    const { supervisor, processes } = harness((request, reply) => {
      if (request.type !== 'load') return
      const answer = () => reply({ type: 'done', id: request.id, value: model(request.path) })
      if (request.path === '/models/old.gguf' && processes.length > 1) held.push(answer)
      else answer()
    })
    await supervisor.load('/models/old.gguf')
    processes[0]!.die('signal SIGKILL')
    await until(() => held.length === 1)
    const loaded = supervisor.load('/models/new.gguf')
    await new Promise((r) => setTimeout(r, 10))
    held.shift()!()
    await loaded
    await until(() => supervisor.snapshot().state === 'ready' && supervisor.snapshot().model?.fileName === 'new.gguf')
    await new Promise((r) => setTimeout(r, 20))
    expect(supervisor.snapshot().model?.fileName).toBe('new.gguf')
    expect(processes[1]!.received.map((r) => r.type === 'load' && r.path)).toEqual(['/models/old.gguf', '/models/new.gguf'])
  })

  it('skips the reload when another model is asked for before the engine is back', async () => {
    const { supervisor, processes } = harness()
    await supervisor.load('/models/old.gguf')
    let asked: Promise<unknown> | null = null
    supervisor.subscribe((s) => {
      if (s.state === 'restarting') asked ??= supervisor.load('/models/new.gguf')
    })
    processes[0]!.die('signal SIGKILL')
    await until(() => asked !== null)
    await asked
    await new Promise((r) => setTimeout(r, 20))
    expect(supervisor.snapshot().model?.fileName).toBe('new.gguf')
    expect(processes[1]!.received.filter((r) => r.type === 'load').map((r) => r.type === 'load' && r.path)).toEqual(['/models/new.gguf'])
  })

  it('blames a crash during a reload on the file being reloaded, never on the one asked for next', async () => {
    const { supervisor, processes } = harness((request, reply, proc) => {
      if (request.type !== 'load') return
      if (request.path === '/models/old.gguf' && processes.length === 2) return proc.die('code 134')
      reply({ type: 'done', id: request.id, value: model(request.path) })
    })
    await supervisor.load('/models/old.gguf')
    const notices: string[] = []
    let asked: Promise<unknown> | null = null
    supervisor.subscribe((s) => {
      if (s.notice) notices.push(s.notice)
      if (s.state === 'loading' && s.loading?.path === '/models/old.gguf') asked ??= supervisor.load('/models/new.gguf')
    })
    processes[0]!.die('signal SIGKILL')
    await until(() => asked !== null)
    await asked
    expect(notices.some((n) => /while loading old\.gguf/.test(n))).toBe(true)
    expect(notices.some((n) => /new\.gguf/.test(n))).toBe(false)
    expect(supervisor.snapshot()).toMatchObject({ state: 'ready', model: { fileName: 'new.gguf' } })
  })

  it('passes load errors through as values and stays usable', async () => {
    const { supervisor } = harness((request, reply) => {
      if (request.type === 'load') {
        reply({ type: 'failed', id: request.id, error: { code: 'MODEL_INVALID', message: 'x.gguf is not a valid GGUF model file.' } })
      }
    })
    await expect(supervisor.load('/models/x.gguf')).rejects.toMatchObject({ code: 'MODEL_INVALID' })
    expect(supervisor.snapshot()).toMatchObject({ state: 'idle', notice: 'x.gguf is not a valid GGUF model file.' })
  })

  it('stops restarting after repeated crashes and says so', async () => {
    const { supervisor, processes } = harness()
    await supervisor.start()
    for (let crash = 0; crash < 4; crash++) {
      const count = processes.length
      processes.at(-1)!.die('signal SIGSEGV')
      if (crash < 3) await until(() => processes.length === count + 1 && supervisor.snapshot().state === 'idle')
    }
    await until(() => /keeps stopping/.test(supervisor.snapshot().notice ?? ''))
    expect(processes).toHaveLength(4)
  })
  it('settles every call and ends where the last load or unload said, however start, inspect, load and unload interleave', async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const random = seededRandom(seed)
      // The engine answers each request after a few turns of the event loop, so answers overtake each other.
      const { supervisor } = harness((request, reply) => {
        const answer = () => {
          if (request.type === 'load') {
            reply({ type: 'progress', id: request.id, progress: 0.5 })
            reply({ type: 'done', id: request.id, value: model(request.path) })
          }
          if (request.type === 'unload') reply({ type: 'done', id: request.id, value: null })
          if (request.type === 'inspect') reply({ type: 'done', id: request.id, value: fit })
          if (request.type === 'hardware') reply({ type: 'done', id: request.id, value: hardware })
        }
        let turns = Math.floor(random() * 4)
        const step = () => (turns-- > 0 ? setImmediate(step) : answer())
        step()
      })
      const calls: Array<Promise<unknown>> = []
      let wanted: string | null = null
      for (let i = 0; i < 12; i++) {
        const pick = Math.floor(random() * 5)
        if (pick === 0) calls.push(supervisor.start())
        if (pick === 1) calls.push(supervisor.inspect('/models/catalog-entry.gguf'))
        if (pick === 2) calls.push(supervisor.hardware())
        if (pick === 3) calls.push(supervisor.load((wanted = `/models/m${i}.gguf`)))
        if (pick === 4) {
          calls.push(supervisor.unload())
          wanted = null
        }
        if (random() < 0.5) await new Promise((resolve) => setImmediate(resolve))
      }
      const outcome = await Promise.race([Promise.allSettled(calls), new Promise((resolve) => setTimeout(() => resolve('hung'), 2000))])
      expect(outcome, `seed ${seed}`).not.toBe('hung')
      expect(
        (outcome as PromiseSettledResult<unknown>[]).filter((result) => result.status === 'rejected'),
        `seed ${seed}`,
      ).toEqual([])
      expect(supervisor.snapshot(), `seed ${seed}`).toMatchObject(
        wanted ? { state: 'ready', model: { path: wanted }, loading: null } : { state: 'idle', model: null, loading: null },
      )
    }
  })
})

describe('the context each sequence is loaded with', () => {
  it('is asked of the engine, and grows by a reload only when a caller needs more than it asked for', async () => {
    const { supervisor, processes } = harness()
    await supervisor.start()
    await supervisor.load('/models/a.gguf')
    const loads = () => processes[0]!.received.filter((request) => request.type === 'load')
    expect(loads().at(-1)).toMatchObject({ sequences: 2, contextSize: null })
    // Earning with 3 slots of 8,192 tokens: one reload, every sequence asked to hold a whole job.
    await supervisor.ensureSequences(4, 8192)
    expect(loads()).toHaveLength(2)
    expect(loads().at(-1)).toMatchObject({ sequences: 4, contextSize: 8192 })
    // A smaller setting later keeps what is loaded (chat may be using it).
    await supervisor.ensureSequences(4, 2048)
    await supervisor.ensureSequences(2)
    expect(loads()).toHaveLength(2)
    await supervisor.close()
  })
})
