import { linkedAbort } from './abort.js'
import { createBackoff, type Backoff } from './backoff.js'
import { asGridError } from '../grid/gridError.js'
import type { GridSession, NextJob, SessionEnd } from './gridTransport.js'
import { createJobRunner, NOT_STARTED } from './jobRunner.js'
import { systemClock } from './ports.js'
import { gridTransportFor } from './transports/gridTransportFor.js'
import { createWorkerEvents } from './workerEvents.js'
import type { WorkerConfig, WorkerEvent, WorkerExit, WorkerPorts } from './workerTypes.js'

export type { WorkerConfig, WorkerEvent, WorkerExit, WorkerPorts, WorkerState } from './workerTypes.js'

const DEFAULT_GRACE_MS = 30_000
const DEFAULT_IDLE_POLL_MS = 2000
const ENGINE_PAUSE_MS = 5000
const ENGINE_DOWN = 'The model is not available; waiting before taking more jobs.'

/**
 * The grid job loop: N slots, each holding one session with its grid (`GridTransport`), taking one job at
 * a time, running it on the engine and answering it. Every job received is answered exactly once
 * (through the job runner's `finishJob`) unless the connection to the grid is gone, and recorded in the ledger.
 */
export function createWorker(config: WorkerConfig, ports: WorkerPorts) {
  const clock = ports.clock ?? systemClock
  const logger = ports.logger ?? { info: () => undefined, warn: () => undefined }
  const events = createWorkerEvents(logger)
  const { setState } = events
  const stopping = new AbortController()
  const force = new AbortController()
  const transport = ports.transport ?? gridTransportFor(config, { clock, logger, fetch: ports.fetch, signer: ports.signer })
  let exit: WorkerExit | null = null
  let claimed = 0
  let finished = 0

  const runner = createJobRunner({
    network: config.network,
    engine: ports.engine,
    ledger: ports.ledger,
    clock,
    logger,
    limits: { maxLength: config.maxLength, maxContextLength: config.maxContextLength },
    force: force.signal,
    emit: events.emit,
    setWorking: () => setState('working'),
    fatal: (message) => stop('fatal', message),
  })

  /** Reserves one job of `--max-jobs`; false when stopping or the budget is spent. */
  const claim = (): boolean => {
    if (stopping.signal.aborted || budgetSpent()) return false
    claimed++
    return true
  }
  const unclaim = () => claimed--
  const budgetSpent = () => !!config.maxJobs && claimed >= config.maxJobs
  const gateClosed = () => !!ports.gate && !ports.gate.isOpen()
  const finishedOne = () => {
    finished++
    if (config.maxJobs && finished >= config.maxJobs) stop('max-jobs')
  }

  function stop(reason: WorkerExit['reason'] = 'stopped', message: string | null = null): void {
    if (stopping.signal.aborted) {
      if (reason === 'stopped') force.abort()
      return
    }
    exit = { reason, message }
    setState('stopping', message)
    stopping.abort()
    void clock.sleep(config.graceMs ?? DEFAULT_GRACE_MS, force.signal).then(() => force.abort())
  }

  async function slotLoop(slot: number): Promise<void> {
    const backoff = createBackoff()
    while (!stopping.signal.aborted) {
      // While paused a slot holds no session, so the grid pushes it nothing.
      await waitForGate()
      if (stopping.signal.aborted) break
      if (transport.holdsConnection) setState('connecting')
      let session: GridSession
      try {
        session = await transport.open(slot, stopping.signal)
        backoff.reset()
      } catch (error) {
        if (stopping.signal.aborted) break
        if (!(await waitOutFailure(error, backoff))) break
        continue
      }
      setState('waiting')
      const { end, engineDown } = await serve(slot, session, backoff)
      if (end.action === 'stop') {
        stop('fatal', end.message)
        break
      }
      if (stopping.signal.aborted || budgetSpent()) break
      if (gateClosed()) continue
      if (engineDown) {
        setState('backoff', ENGINE_DOWN, ENGINE_DOWN)
        await clock.sleep(ENGINE_PAUSE_MS, stopping.signal)
        continue
      }
      if (!end.byWorker) {
        const wait = backoff.next()
        setState('backoff', `${end.message} Reconnecting in ${Math.round(wait / 1000)} s.`, end.message)
        await clock.sleep(wait, stopping.signal)
      }
    }
  }

  /** Takes jobs from one session until the grid ends it or the worker will take no more from it. */
  async function serve(slot: number, session: GridSession, backoff: Backoff): Promise<{ end: SessionEnd; engineDown: boolean }> {
    let engineDown = false
    for (;;) {
      if (engineDown || gateClosed() || !claim()) break
      const next = await nextJob(session, backoff)
      if (next === 'give-up') {
        unclaim()
        break
      }
      if (next.type !== 'job') {
        unclaim()
        if (next.type === 'closed') break
        continue
      }
      backoff.reset()
      engineDown = (await runner.run(slot, next.job)).engineDown
      finishedOne()
      if (!stopping.signal.aborted) setState('waiting')
    }
    for (const job of session.release())
      await runner.finishJob(job, { kind: 'failed', cause: 'not-started', message: NOT_STARTED, result: null }, clock.now())
    return { end: await session.ended, engineDown }
  }

  /** One ask for a job; an empty answer waits out the idle poll; failures wait out the backoff. */
  async function nextJob(session: GridSession, backoff: Backoff): Promise<NextJob | 'give-up'> {
    const idle = linkedAbort(stopping.signal)
    const unsubscribe = ports.gate?.onClose(idle.abort)
    try {
      const next = await session.next({ idle: idle.signal, force: force.signal })
      if (next.type === 'none' && !idle.signal.aborted) {
        setState('waiting')
        await clock.sleep(config.idlePollMs ?? DEFAULT_IDLE_POLL_MS, idle.signal)
      }
      return next
    } catch (error) {
      if (stopping.signal.aborted) return 'give-up'
      return (await waitOutFailure(error, backoff)) ? { type: 'none' } : 'give-up'
    } finally {
      unsubscribe?.()
      idle.dispose()
    }
  }

  async function waitForGate(): Promise<void> {
    if (!ports.gate || ports.gate.isOpen()) return
    setState('paused', ports.gate.reason?.() ?? null)
    await ports.gate.whenOpen(stopping.signal)
  }

  /** Waits out a failure; false when the worker must stop (configuration errors). */
  async function waitOutFailure(error: unknown, backoff: Backoff): Promise<boolean> {
    const gridError = asGridError(error)
    if (gridError.action === 'stop') {
      stop('fatal', gridError.message)
      return false
    }
    const wait = gridError.details.retryAfterMs ?? backoff.next()
    setState('backoff', `${gridError.message} Retrying in ${Math.max(1, Math.round(wait / 1000))} s.`, gridError.message)
    logger.warn(`${gridError.message}; retrying in ${Math.round(wait / 1000)} s`)
    await clock.sleep(wait, stopping.signal)
    return true
  }

  return {
    /** Runs until stopped, `--max-jobs` is reached, or a configuration error; never throws. */
    async run(): Promise<WorkerExit> {
      setState('connecting')
      await Promise.all(Array.from({ length: Math.max(1, config.slots) }, (_, i) => slotLoop(i)))
      await runner.settled()
      force.abort()
      const result = exit ?? { reason: 'stopped', message: null }
      setState('stopped', result.message)
      return result
    },
    /** First call: finish jobs in flight (within the grace period), take no new ones. Second call: cancel them. */
    stop: () => stop('stopped'),
    subscribe: (listener: (event: WorkerEvent) => void): (() => void) => events.subscribe(listener),
  }
}

/** A worker instance. */
export type Worker = ReturnType<typeof createWorker>
