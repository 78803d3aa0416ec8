import { afterEach, describe, expect, it } from 'vitest'
import { HostEvents } from '../../src/main/host/events.js'
import { createWorker, type WorkerEvent } from '../../src/worker/jobLoop.js'
import type { GenerationEngine, JobRecord } from '../../src/worker/ports.js'
import { startDevGrid, type DevGrid } from '../support/devGrid/index.js'

let grid: DevGrid | null = null
afterEach(async () => {
  await grid?.close()
  grid = null
})

/** An engine whose generation runs until the test lets it finish, so a stop lands while a job is in flight. */
function heldEngine() {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let started!: () => void
  const generating = new Promise<void>((resolve) => (started = resolve))
  const engine: GenerationEngine = {
    async generate(_request, { onText }) {
      started()
      onText?.('Once', 1)
      await released
      return { text: 'Once upon a time', finishReason: 'length', promptTokens: 4, completionTokens: 4, durationMs: 10, firstTokenMs: 1 }
    },
  }
  return { engine, generating, release }
}

describe('listeners that throw', () => {
  it('do not keep the worker from stopping gracefully and answering the job in flight, nor the other listeners from hearing', async () => {
    grid = await startDevGrid({ mode: 'horde' })
    const [id] = grid.enqueueHorde({ payload: { prompt: 'Once upon a time', max_length: 20, max_context_length: 1024 } })
    const held = heldEngine()
    const ledger: JobRecord[] = []
    const warnings: string[] = []
    const worker = createWorker(
      {
        network: 'horde',
        gridUrl: grid.url,
        apiKey: 'dev-key-alice',
        name: 'listener-rig',
        models: ['koboldcpp/stories260K'],
        slots: 1,
        maxLength: 64,
        maxContextLength: 1024,
        agent: 'GridForge:0.0.0-test:https://aipowergrid.io',
        idlePollMs: 50,
        graceMs: 10_000,
      },
      {
        engine: held.engine,
        ledger: { record: (job) => ledger.push(job) },
        logger: { info: () => undefined, warn: (line) => warnings.push(line) },
      },
    )
    // The desktop tray, destroyed at quit, throws on every redraw; it subscribed first.
    worker.subscribe(() => {
      throw new Error('Object has been destroyed')
    })
    const heard: WorkerEvent[] = []
    worker.subscribe((event) => heard.push(event))
    const exit = worker.run()
    await held.generating

    expect(() => worker.stop()).not.toThrow()
    held.release()
    expect(await exit).toEqual({ reason: 'stopped', message: null })

    expect(grid.horde.submits.filter((submit) => submit.body.id === id && submit.status === 200)).toHaveLength(1)
    expect(ledger.map((job) => [job.jobId, job.state])).toEqual([[id, 'ok']])
    expect(heard.filter((event) => event.type === 'state').map((event) => (event as { state: string }).state)).toContain('stopping')
    expect(heard.some((event) => event.type === 'job-finished')).toBe(true)
    expect(warnings.some((line) => line.includes('Object has been destroyed'))).toBe(true)
  })

  it('on the host event bus are logged and skipped; the others still hear the event', () => {
    const logged: string[] = []
    const events = new HostEvents((line) => logged.push(line))
    events.subscribe(() => {
      throw new Error('Object has been destroyed')
    })
    const heard: string[] = []
    events.subscribe((name) => heard.push(name))
    expect(() => events.emit('earn.quickStart', null as never)).not.toThrow()
    expect(heard).toEqual(['earn.quickStart'])
    expect(logged).toEqual(['a listener of earn.quickStart failed: Object has been destroyed'])
  })
})
