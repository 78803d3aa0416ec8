import { describe, expect, it } from 'vitest'
import { advertisedModels } from '../../src/grid/advertisedNames.js'
import { StartEarningFlow, type StartEarningPorts, type WaitOutcome } from '../../src/main/earn/startEarningFlow.js'
import type { ModelChoice, QuickStartSnapshot } from '../../src/shared/quickStart.js'

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: Error) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

/** Fake services: every step succeeds at once unless the test replaces it; calls are recorded. */
function fakePorts(overrides: Partial<StartEarningPorts> = {}) {
  const calls: string[] = []
  let loaded: string | null = null
  let mining = false
  const ports: StartEarningPorts = {
    resolve: async (choice) => (calls.push('resolve'), { name: 'Tiny', path: choice.kind === 'local' ? '/models/local.gguf' : null }),
    download: async (catalogId, onProgress) => {
      calls.push(`download:${catalogId}`)
      onProgress(50, 100)
      return `/models/${catalogId}.gguf`
    },
    loadedPath: () => loaded,
    load: async (path, onProgress) => {
      calls.push(`load:${path}`)
      onProgress(0.5)
      loaded = path
    },
    isMining: () => mining,
    connect: async () => (calls.push('connect'), (mining = true), { kind: 'reached' } as WaitOutcome),
    firstJob: async () => (calls.push('first-job'), { kind: 'reached' } as WaitOutcome),
    stopMining: () => (calls.push('stop'), (mining = false)),
    ...overrides,
  }
  return { ports, calls }
}

const catalogModel: ModelChoice = { kind: 'catalog', catalogId: 'qwen' }

function record(flow: StartEarningFlow): QuickStartSnapshot[] {
  const seen: QuickStartSnapshot[] = []
  flow.onChange((snapshot) => seen.push(snapshot))
  return seen
}

const stepStates = (snapshot: QuickStartSnapshot) => Object.fromEntries(snapshot.steps.map((s) => [s.name, s.state]))

describe('Start earning', () => {
  it('downloads, loads, connects and waits for the first job, showing each step', async () => {
    const { ports, calls } = fakePorts()
    const flow = new StartEarningFlow(ports)
    const seen = record(flow)
    flow.start(catalogModel)
    await flow.settled()
    expect(calls).toEqual(['resolve', 'download:qwen', 'load:/models/qwen.gguf', 'connect', 'first-job'])
    expect(flow.snapshot()).toMatchObject({ phase: 'done', modelName: 'Tiny', failure: null })
    expect(stepStates(flow.snapshot())).toEqual({ download: 'done', load: 'done', connect: 'done', 'first-job': 'done' })
    // Progress reached the UI while the steps ran.
    expect(seen.some((s) => s.steps[0]!.state === 'active' && s.steps[0]!.progress === 0.5)).toBe(true)
    expect(seen.some((s) => s.steps[1]!.state === 'active' && s.steps[1]!.progress === 0.5)).toBe(true)
  })

  it('does not download a model that is already on the PC, nor load one already loaded', async () => {
    const already = fakePorts({
      resolve: async () => ({ name: 'Qwen', path: '/models/qwen.gguf' }),
      loadedPath: () => '/models/qwen.gguf',
    })
    const again = new StartEarningFlow(already.ports)
    again.start(catalogModel)
    await again.settled()
    expect(already.calls).toEqual(['connect', 'first-job'])
    expect(stepStates(again.snapshot())).toEqual({ download: 'skipped', load: 'skipped', connect: 'done', 'first-job': 'done' })
  })

  it.each([
    [
      'download',
      { download: async () => Promise.reject(new Error('HTTP 404 from the model host')) },
      /^The model could not be downloaded: HTTP 404 from the model host\. Retry/,
      ['retry', 'choose-model', 'cancel'],
    ],
    [
      'download',
      { resolve: async () => Promise.reject(new Error('tiny.gguf is no longer at /x')) },
      /^This model cannot be used: tiny\.gguf is no longer at \/x\. Choose another model\.$/,
      ['retry', 'choose-model', 'cancel'],
    ],
    [
      'load',
      { load: async () => Promise.reject(new Error('Not enough memory for this model.')) },
      /^The model could not be loaded: Not enough memory for this model\. Retry, or choose a smaller model\.$/,
      ['retry', 'choose-model', 'cancel'],
    ],
    [
      'connect',
      { connect: async () => ({ kind: 'failed', reason: 'The grid does not recognise this API key.' }) },
      /^Could not connect to the grid: The grid does not recognise this API key\. Check the API key/,
      ['retry', 'cancel'],
    ],
    [
      'connect',
      { connect: async () => Promise.reject(new Error('Add your AIPG API key before you start earning.')) },
      /^Could not connect to the grid: Add your AIPG API key before you start earning\. Check the API key/,
      ['retry', 'cancel'],
    ],
    [
      'first-job',
      { firstJob: async () => ({ kind: 'failed', reason: 'The worker name belongs to another account' }) },
      /^Mining stopped before the first job: The worker name belongs to another account\. Retry/,
      ['retry', 'cancel'],
    ],
  ] as const)('a failed %s step says what happened and offers a way out', async (step, override, message, choices) => {
    const { ports, calls } = fakePorts(override as Partial<StartEarningPorts>)
    const flow = new StartEarningFlow(ports)
    flow.start(catalogModel)
    await flow.settled()
    const snapshot = flow.snapshot()
    expect(snapshot.phase).toBe('failed')
    expect(snapshot.failure).toMatchObject({ step, choices })
    expect(snapshot.failure!.message).toMatch(message)
    expect(snapshot.steps.find((s) => s.name === step)!.state).toBe('failed')
    // Later steps never ran; a miner started for the run is stopped again.
    expect(snapshot.steps.filter((s) => s.state === 'active')).toEqual([])
    expect(calls.includes('stop')).toBe(step === 'connect' || step === 'first-job')

    // Retry runs again from the start; Cancel after a failure closes it.
    expect(() => flow.start(catalogModel)).not.toThrow()
    await flow.settled()
    expect(flow.cancel().phase).toBe('cancelled')
  })

  it('cancel during the download stops cleanly: the download is aborted and nothing later runs', async () => {
    let aborted = false
    const { ports, calls } = fakePorts({
      download: (_id, onProgress, signal) =>
        new Promise<string>((_resolve, reject) => {
          onProgress(10, 100)
          signal.addEventListener('abort', () => ((aborted = true), reject(new Error('Cancelled.'))))
        }),
    })
    const flow = new StartEarningFlow(ports)
    flow.start(catalogModel)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(flow.snapshot().steps[0]).toMatchObject({ state: 'active', progress: 0.1, detail: '0 MB of 0 MB' })
    const cancelled = flow.cancel()
    await flow.settled()
    expect(aborted).toBe(true)
    expect(cancelled.phase).toBe('cancelled')
    expect(flow.snapshot()).toMatchObject({ phase: 'cancelled', failure: null })
    expect(stepStates(flow.snapshot())).toEqual({ download: 'pending', load: 'pending', connect: 'pending', 'first-job': 'pending' })
    expect(calls).not.toContain('connect')
    expect(calls).not.toContain('stop')
  })

  it('cancel while waiting for the first job stops the miner it started', async () => {
    const job = deferred<WaitOutcome>()
    const { ports, calls } = fakePorts({
      firstJob: (signal) => (signal.addEventListener('abort', () => job.resolve({ kind: 'stopped' })), job.promise),
    })
    const flow = new StartEarningFlow(ports)
    flow.start({ kind: 'local', modelId: 'm1' })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(flow.snapshot().steps[3]!.state).toBe('active')
    flow.cancel()
    await flow.settled()
    expect(calls).toEqual(['resolve', 'load:/models/local.gguf', 'connect', 'stop'])
    expect(flow.snapshot().phase).toBe('cancelled')
  })

  it('cancel while the miner is still starting (connect is not atomic) leaves nothing mining', async () => {
    // As EarnService: Start first prepares the model, and only then the miner exists; a Stop in between is kept.
    const prepared = deferred<void>()
    let mining = false
    let stopAsked = false
    const { ports, calls } = fakePorts({
      isMining: () => mining,
      connect: async (signal) => {
        calls.push('connect')
        await prepared.promise
        mining = !stopAsked
        return signal.aborted || !mining ? { kind: 'stopped' } : { kind: 'reached' }
      },
      stopMining: () => {
        calls.push('stop')
        stopAsked = true
        mining = false
      },
    })
    const flow = new StartEarningFlow(ports)
    flow.start({ kind: 'local', modelId: 'm1' })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(flow.snapshot().steps[2]!.state).toBe('active')
    flow.cancel()
    prepared.resolve()
    await flow.settled()
    expect(calls).toEqual(['resolve', 'load:/models/local.gguf', 'connect', 'stop'])
    expect(mining).toBe(false)
    expect(flow.snapshot()).toMatchObject({ phase: 'cancelled', failure: null })
  })

  it('a Stop pressed by the user while waiting ends the run without an error', async () => {
    const { ports } = fakePorts({ firstJob: async () => ({ kind: 'stopped' }) })
    const flow = new StartEarningFlow(ports)
    flow.start(catalogModel)
    await flow.settled()
    expect(flow.snapshot()).toMatchObject({ phase: 'cancelled', failure: null })
  })

  it('refuses a second run while one is under way, or while already earning', async () => {
    const hold = deferred<WaitOutcome>()
    const { ports } = fakePorts({ connect: () => hold.promise })
    const flow = new StartEarningFlow(ports)
    flow.start(catalogModel)
    expect(() => flow.start(catalogModel)).toThrow('Start earning is already under way.')
    hold.resolve({ kind: 'stopped' })
    await flow.settled()
    const mining = new StartEarningFlow(fakePorts({ isMining: () => true }).ports)
    expect(() => mining.start(catalogModel)).toThrow(/already earning/)
  })
})

describe('advertised model names', () => {
  const catalog = { aipg: 'grid/Qwen2.5-0.5B-Instruct', horde: 'koboldcpp/Qwen2.5-0.5B-Instruct' }
  it('uses the catalog names for a catalog model and the file stem otherwise', () => {
    expect(advertisedModels('aipg', 'qwen2.5-0.5b-instruct-q4_k_m.gguf', catalog)).toEqual(['grid/Qwen2.5-0.5B-Instruct'])
    expect(advertisedModels('horde', 'qwen2.5-0.5b-instruct-q4_k_m.gguf', catalog)).toEqual(['koboldcpp/Qwen2.5-0.5B-Instruct'])
    expect(advertisedModels('aipg', 'my-model.gguf')).toEqual(['grid/my-model'])
    expect(advertisedModels('horde', 'my-model.gguf', null)).toEqual(['koboldcpp/my-model'])
  })
})
