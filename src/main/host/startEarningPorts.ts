import type { DownloadSnapshot } from '../../shared/models.js'
import type { ModelChoice } from '../../shared/quickStart.js'
import { AppError } from '../../shared/result.js'
import type { EarnService } from '../earn/earnService.js'
import { isMinerOn } from '../../shared/minerStatus.js'
import type { StartEarningPorts } from '../earn/startEarningFlow.js'
import type { Engine } from '../engine/engine.js'
import type { ModelsService } from '../models/modelsService.js'

/** The services Start earning drives. */
export interface StartEarningServices {
  models: Pick<ModelsService, 'registry' | 'catalog' | 'downloads' | 'on'>
  engine: Engine
  earn: Pick<EarnService, 'miner' | 'snapshot' | 'start' | 'stop'>
}

/** Start earning's steps on the real services, following each service's own events. */
export function startEarningPorts({ models, engine, earn }: StartEarningServices): StartEarningPorts {
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
        const unsubscribe = models.on('models.downloads', check)
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

    isMining: () => isMinerOn(earn.snapshot().state),

    async connect(signal) {
      await earn.start()
      return earn.miner.until('connected', signal)
    },

    firstJob: (signal) => earn.miner.until('first-job', signal),

    stopMining: () => void earn.stop(),
  }
}
