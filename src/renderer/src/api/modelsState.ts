import type { CatalogItem, DownloadSnapshot, HardwareInfo, LocalModel } from '../../../shared/models'
import type { AppErrorShape } from '../../../shared/result'
import { localModelsStore } from './appState'
import { api } from './bridge'
import { setUnlessNewer } from './freshReply'
import { refreshOnConnect } from './reconnect'
import { createStore } from './store'

/** The curated catalog with fit badges. */
export const catalogStore = createStore<CatalogItem[]>([])
/** The download queue. */
export const downloadsStore = createStore<DownloadSnapshot[]>([])
/** This machine, as the engine sees it. */
export const hardwareStore = createStore<HardwareInfo | null>(null)
/** The last error of an action in the Models view. */
export const modelsErrorStore = createStore<AppErrorShape | null>(null)
/** A line about the last action that went well ("Registered 3 models"). */
export const modelsNoticeStore = createStore<string | null>(null)

type Reply<T> = { ok: true; value: T } | { ok: false; error: AppErrorShape }

async function run<T>(call: () => Promise<Reply<T>>): Promise<T | null> {
  modelsErrorStore.set(null)
  modelsNoticeStore.set(null)
  const result = await call()
  if (result.ok) return result.value
  modelsErrorStore.set(result.error)
  return null
}

/** Loads what the Models view shows; the host pushes changes afterwards. */
export async function refreshModels(): Promise<void> {
  if (!api) return
  const host = api
  await Promise.all([
    setUnlessNewer(catalogStore, () => host.call('models.catalog', {})),
    setUnlessNewer(downloadsStore, () => host.call('models.downloads', {})),
    setUnlessNewer(localModelsStore, () => host.call('models.listLocal', {})),
    setUnlessNewer(hardwareStore, () => host.call('models.hardware', {})),
  ])
}

/** Subscribes to model events; the first load happens when the Models view opens. */
export function startModelsState(): void {
  if (!api) return
  api.on('models.catalog', (items) => catalogStore.set(items))
  api.on('models.downloads', (downloads) => downloadsStore.set(downloads))
  api.on('models.local', (models) => localModelsStore.set(models))
  refreshOnConnect(async () => {
    const downloads = await api!.call('models.downloads', {})
    if (downloads.ok) downloadsStore.set(downloads.value)
  })
}

export async function downloadModel(source: string, sha256: string | null = null): Promise<boolean> {
  return (await run(() => api!.call('models.download', { source, sha256 }))) !== null
}

export async function pauseDownload(downloadId: string): Promise<void> {
  await run(() => api!.call('models.pauseDownload', { downloadId }))
}

export async function resumeDownload(downloadId: string): Promise<void> {
  await run(() => api!.call('models.resumeDownload', { downloadId }))
}

export async function cancelDownload(downloadId: string): Promise<void> {
  await run(() => api!.call('models.cancelDownload', { downloadId }))
}

export async function registerModels(path: string): Promise<boolean> {
  const result = await run(() => api!.call('models.register', { path }))
  if (!result) return false
  const skipped = result.skipped.length > 0 ? `; skipped ${result.skipped.length} (${result.skipped[0]!.reason})` : ''
  modelsNoticeStore.set(`Registered ${result.added.length} model${result.added.length === 1 ? '' : 's'}${skipped}.`)
  return true
}

export async function removeModel(model: LocalModel): Promise<void> {
  const result = await run(() => api!.call('models.remove', { modelId: model.id }))
  if (result) {
    modelsNoticeStore.set(
      result.fileDeleted ? `Removed ${model.fileName} and deleted its file.` : `Removed ${model.fileName}; its file was left where it is.`,
    )
  }
}
