import { loadCatalog } from '../../src/main/models/catalog.js'
import { DownloadManager, type DownloadManagerOptions } from '../../src/main/models/downloadManager.js'
import { ModelRegistry } from '../../src/main/models/modelRegistry.js'
import type { ModelsRepository } from '../../src/main/store/modelsRepository.js'
import type { DownloadSnapshot } from '../../src/shared/models.js'
import { describeRequests, type FileServer } from './fileServer.js'

/**
 * A download queue on the real models tables (`repo`) into `modelsDir`, registering what it finishes the way
 * the app does, with short retry waits and a roomy disk; `options` replace any part (the queue's repository,
 * the free space, a listener).
 */
export function downloadManagerOn(
  repo: ModelsRepository,
  modelsDir: string,
  options: Partial<DownloadManagerOptions> = {},
): DownloadManager {
  const registry = new ModelRegistry(repo, modelsDir)
  return new DownloadManager({
    repo,
    modelsDir,
    catalog: loadCatalog(),
    backoff: { initialMs: 20, maxMs: 100 },
    freeBytes: async () => 100e9,
    onChange: () => undefined,
    register: async (download, path, result) =>
      (await registry.registerDownloaded(path, { source: download.source, catalogId: download.catalogId, sha256: result.sha256 })).id,
    ...options,
  })
}

/** Waits until download `id` is in one of `states`; otherwise fails with what `server` was asked. */
export async function settledDownload(
  downloads: DownloadManager,
  id: string,
  server: FileServer,
  states = ['done', 'failed', 'paused'],
): Promise<DownloadSnapshot> {
  for (let i = 0; i < 400; i++) {
    const download = downloads.list().find((d) => d.id === id)
    if (download && states.includes(download.state)) return download
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`download did not settle:\n${describeRequests(server.requests)}`)
}
