import { describe, expect, it } from 'vitest'
import type { EngineSnapshot, LoadedModel } from '../../src/shared/domain.js'
import type { ReadinessSnapshot } from '../../src/shared/readiness.js'
import type { Engine } from '../../src/main/engine/engine.js'
import type { SavedReadiness } from '../../src/main/readiness/lastReadiness.js'
import { ReadinessService } from '../../src/main/readiness/readinessService.js'
import { StartEarningFlow, type StartEarningPorts } from '../../src/main/earn/startEarningFlow.js'

const model = (path: string, contextSize = 4096): LoadedModel => ({
  path,
  fileName: path.split('/').pop()!,
  sizeBytes: 1,
  architecture: 'llama',
  contextSize,
  hasChatTemplate: true,
  gpuLayers: 0,
  threads: 2,
})

/** An engine whose model answers every probe "hello" (so every family fails), counting generations. */
function fakeEngine(loaded: LoadedModel | null) {
  const listeners = new Set<(snapshot: EngineSnapshot) => void>()
  let snapshot: EngineSnapshot = { state: 'ready', gpu: null, model: loaded, loading: null, notice: null, restarts: 0 }
  const engine = {
    generations: 0,
    snapshot: () => snapshot,
    subscribe: (listener: (s: EngineSnapshot) => void) => (listeners.add(listener), () => listeners.delete(listener)),
    generate: async (_request: unknown, handlers?: { onText?: (text: string, tokens: number) => void }) => {
      engine.generations++
      handlers?.onText?.('hello', 1)
      return { text: 'hello', finishReason: 'stop' as const, promptTokens: 10, completionTokens: 1, durationMs: 1, firstTokenMs: 1 }
    },
    load(next: LoadedModel) {
      snapshot = { ...snapshot, model: next }
      for (const listener of listeners) listener(snapshot)
    },
  }
  return engine
}

function service(
  engine: ReturnType<typeof fakeEngine>,
  options: { limits?: { maxLength: number; maxContextLength: number }; mining?: boolean; saved?: SavedReadiness[] } = {},
) {
  const limits = options.limits ?? { maxLength: 512, maxContextLength: 4096 }
  const store = options.saved ?? []
  const seen: ReadinessSnapshot[] = []
  const readiness = new ReadinessService({
    engine: engine as unknown as Engine,
    requestedLimits: () => limits,
    busyReason: () => (options.mining ? 'Stop earning first.' : null),
    saved: { get: () => store.at(-1) ?? null, set: (saved) => store.push(saved) },
  })
  readiness.subscribe((_name, snapshot) => seen.push(snapshot))
  return { readiness, limits, store, seen }
}

describe('the readiness service', () => {
  it('checks once per model and settings: the same ones reuse the report, other limits or another model run it again', async () => {
    const engine = fakeEngine(model('/m/a.gguf'))
    const { readiness, limits, seen } = service(engine)
    const first = await readiness.ensureChecked()
    expect(first.ready).toBe(false)
    const perRun = engine.generations
    // One probe per family that the grid would send (tool.chain's second stage needs a right first one).
    expect(perRun).toBe(10)
    expect(await readiness.ensureChecked()).toBe(first)
    expect(engine.generations).toBe(perRun)
    expect(seen.some((s) => s.state === 'running' && s.progress?.total === 13)).toBe(true)
    expect(readiness.snapshot()).toMatchObject({ state: 'done', stale: false, modelName: 'a.gguf', report: first })

    limits.maxLength = 256
    expect(readiness.snapshot().stale).toBe(true)
    await readiness.ensureChecked()
    expect(engine.generations).toBe(2 * perRun)

    engine.load(model('/m/b.gguf'))
    expect(seen.at(-1)).toMatchObject({ stale: true, modelName: 'a.gguf' })
    await readiness.ensureChecked()
    expect(engine.generations).toBe(3 * perRun)
    expect(readiness.snapshot()).toMatchObject({ stale: false, modelName: 'b.gguf' })
  })

  it('advertises no more context than the model holds, so a 64K setting on a 4K model sends no context probe', async () => {
    const engine = fakeEngine(model('/m/a.gguf', 4096))
    const { readiness } = service(engine, { limits: { maxLength: 512, maxContextLength: 65_536 } })
    const report = await readiness.ensureChecked()
    expect(report.maxContextLength).toBe(4096)
    expect(report.results.filter((r) => r.family.startsWith('context.')).map((r) => r.verdict)).toEqual(['skipped', 'skipped', 'skipped'])
  })

  it('keeps the last report across restarts', async () => {
    const engine = fakeEngine(model('/m/a.gguf'))
    const saved: SavedReadiness[] = []
    await service(engine, { saved }).readiness.ensureChecked()
    const count = engine.generations
    const again = service(engine, { saved }).readiness
    expect(again.snapshot()).toMatchObject({ state: 'done', stale: false })
    await again.ensureChecked()
    expect(engine.generations).toBe(count)
  })

  it('refuses without a model or while mining, in one sentence', () => {
    expect(() => service(fakeEngine(null)).readiness.check()).toThrow('Load a model to check it for the grid.')
    expect(() => service(fakeEngine(model('/m/a.gguf')), { mining: true }).readiness.check()).toThrow('Stop earning first.')
  })
})

describe('Start earning with the readiness check', () => {
  const ports = (calls: string[], checkReadiness: StartEarningPorts['checkReadiness']): StartEarningPorts => ({
    resolve: async () => ({ name: 'Tiny', path: '/m/a.gguf' }),
    download: async () => '/m/a.gguf',
    loadedPath: () => '/m/a.gguf',
    load: async () => undefined,
    checkReadiness,
    isMining: () => false,
    connect: async () => (calls.push('connect'), { kind: 'reached' }),
    firstJob: async () => (calls.push('first-job'), { kind: 'reached' }),
    stopMining: () => undefined,
  })

  it('runs the check after loading and before connecting, once per model and settings', async () => {
    const engine = fakeEngine(model('/m/a.gguf'))
    const { readiness } = service(engine)
    const calls: string[] = []
    const flow = new StartEarningFlow(
      ports(calls, async (signal) => (calls.push('readiness'), await readiness.ensureChecked(signal), undefined)),
    )
    flow.start({ kind: 'local', modelId: 'a' })
    await flow.settled()
    expect(calls).toEqual(['readiness', 'connect', 'first-job'])
    const count = engine.generations
    expect(count).toBeGreaterThan(0)
    flow.cancel()
    flow.start({ kind: 'local', modelId: 'a' })
    await flow.settled()
    expect(engine.generations).toBe(count)
  })

  it('goes on to connect when the check itself fails', async () => {
    const calls: string[] = []
    const flow = new StartEarningFlow(ports(calls, async () => Promise.reject(new Error('engine crashed'))))
    flow.start({ kind: 'local', modelId: 'a' })
    await flow.settled()
    expect(calls).toEqual(['connect', 'first-job'])
    expect(flow.snapshot().phase).toBe('done')
  })
})
