import type { EarnSnapshot } from '../../shared/domain.js'
import type { DownloadSnapshot } from '../../shared/models.js'
import type { ModelChoice } from '../../shared/quickStart.js'
import { AppError } from '../../shared/result.js'
import type { Engine } from '../engine/engine.js'
import type { HostEvents } from './events.js'
import type { ModelsService } from '../models/modelsService.js'
import type { EarnService } from '../earn/earnService.js'
import type { StartEarningPorts, WaitOutcome } from '../earn/startEarningFlow.js'

/** The services Start earning drives. */
export interface StartEarningServices {
  models: ModelsService
  engine: Engine
  earn: EarnService
  events: HostEvents
}

/** Start earning's steps on the real services. */
export function startEarningPorts({ models, engine, earn, events }: StartEarningServices): StartEarningPorts {
  const presentPath = (modelId: string | null): string | null => {
    const model = modelId ? models.registry.get(modelId) : null
    return model?.present ? model.path : null
  }

  return {
    async resolve(choice: ModelChoice) {
      if (choice.kind === 'local') {
        const model = models.registry.get(choice.modelId)
        if (!model) throw new AppError('NOT_FOUND', 'This model is no longer registered.')
        if (!model.present) throw new AppError('NOT_FOUND', `${model.fileName} is no longer at ${model.path}.`)
        return { name: model.fileName, path: model.path }
      }
      const entry = (await models.catalog()).find((item) => item.id === choice.catalogId)
      if (!entry) throw new AppError('NOT_FOUND', `"${choice.catalogId}" is not in the catalog.`)
      return { name: entry.name, path: presentPath(entry.localModelId) }
    },

    download(catalogId, onProgress, signal) {
      let id: string
      try {
        id = models.downloads.enqueue(catalogId).id
      } catch (error) {
        // Already queued or downloading (from the Models view): follow that download instead.
        const queued = models.downloads.list().find((d) => d.catalogId === catalogId && d.state !== 'done' && d.state !== 'cancelled')
        if (!queued) throw error
        id = queued.id
      }
      return new Promise<string>((resolve, reject) => {
        const finish = (outcome: () => void) => {
          unsubscribe()
          signal.removeEventListener('abort', onAbort)
          outcome()
        }
        const check = (downloads: DownloadSnapshot[]) => {
          const download = downloads.find((d) => d.id === id)
          if (!download) return finish(() => reject(new Error('The download was cancelled.')))
          switch (download.state) {
            case 'queued':
            case 'downloading':
            case 'verifying':
              onProgress(download.receivedBytes, download.totalBytes)
              return
            case 'done': {
              const path = presentPath(download.modelId)
              return finish(() => (path ? resolve(path) : reject(new AppError('NOT_FOUND', 'The downloaded file could not be found.'))))
            }
            case 'failed':
              return finish(() => reject(new Error(download.error ?? 'the download failed.')))
            case 'paused':
              return finish(() => reject(new Error('The download was paused in the Models view.')))
            case 'cancelled':
              return finish(() => reject(new Error('The download was cancelled.')))
          }
        }
        const onAbort = () => {
          finish(() => reject(new Error('Cancelled.')))
          void models.downloads.pause(id).catch(() => undefined)
        }
        const unsubscribe = events.subscribe((name, payload) => {
          if (name === 'models.downloads') check(payload as DownloadSnapshot[])
        })
        signal.addEventListener('abort', onAbort, { once: true })
        check(models.downloads.list())
      })
    },

    loadedPath: () => engine.snapshot().model?.path ?? null,

    async load(path, onProgress) {
      const unsubscribe = engine.subscribe((snapshot) => {
        if (snapshot.loading?.path === path) onProgress(snapshot.loading.progress)
      })
      try {
        await engine.load(path)
      } finally {
        unsubscribe()
      }
    },

    isMining: () => !['off', 'error'].includes(earn.snapshot().state),

    async connect(signal) {
      await earn.start()
      return waitForEarn(events, earn, signal, (snapshot) => {
        if (snapshot.state === 'waiting' || snapshot.state === 'working' || snapshot.state === 'paused') return 'reached'
        if (snapshot.state === 'backoff' || snapshot.state === 'error') throw new Error(withoutRetryNote(snapshot.detail))
        return stoppedOutcome(snapshot)
      })
    },

    firstJob(signal) {
      // Reconnects (backoff) while waiting are the worker's business; only a stop ends the wait.
      return waitForEarn(events, earn, signal, (snapshot) => {
        if (snapshot.sinceStart.jobs > 0 || snapshot.running.length > 0) return 'reached'
        if (snapshot.state === 'error') throw new Error(withoutRetryNote(snapshot.detail))
        return stoppedOutcome(snapshot)
      })
    },

    stopMining: () => void earn.stop(),
  }
}

/** Off with a reason is a failure; off without one is the user's Stop. */
function stoppedOutcome(snapshot: EarnSnapshot): WaitOutcome | null {
  if (snapshot.state !== 'off') return null
  if (snapshot.detail) throw new Error(snapshot.detail)
  return 'stopped'
}

/** The worker's "Retrying in 5 s." does not hold once Start earning stops it. */
function withoutRetryNote(detail: string | null): string {
  return (detail ?? 'the grid could not be reached.').replace(/\s*(Retrying|Reconnecting) in \d+ s\.$/, '')
}

/** Waits until `decide` gives an outcome (or throws) for the miner's snapshot, now or after a change. */
function waitForEarn(
  events: HostEvents,
  earn: EarnService,
  signal: AbortSignal,
  decide: (snapshot: EarnSnapshot) => WaitOutcome | null,
): Promise<WaitOutcome> {
  // Cancelled while the miner was starting: the abort event has fired already and would never reach this wait.
  if (signal.aborted) return Promise.resolve('stopped')
  return new Promise<WaitOutcome>((resolve, reject) => {
    const finish = (outcome: () => void) => {
      unsubscribe()
      signal.removeEventListener('abort', onAbort)
      outcome()
    }
    const check = (snapshot: EarnSnapshot) => {
      try {
        const outcome = decide(snapshot)
        if (outcome) finish(() => resolve(outcome))
      } catch (error) {
        finish(() => reject(error as Error))
      }
    }
    const onAbort = () => finish(() => resolve('stopped'))
    const unsubscribe = events.subscribe((name, payload) => {
      if (name === 'earn.snapshot') check(payload as EarnSnapshot)
    })
    signal.addEventListener('abort', onAbort, { once: true })
    check(earn.snapshot())
  })
}
