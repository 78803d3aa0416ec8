import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { loadCatalog } from '../../src/main/models/catalog.js'
import { DownloadManager, type DownloadManagerOptions } from '../../src/main/models/downloadManager.js'
import { ModelRegistry } from '../../src/main/models/modelRegistry.js'
import { openDatabase } from '../../src/main/store/database.js'
import { ModelsRepository } from '../../src/main/store/modelsRepository.js'
import type { DownloadSnapshot } from '../../src/shared/models.js'
import { describeRequests, startFileServer, type FileServer } from './fileServer.js'

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

/** Polls `condition` every 10 ms for up to 4 s; fails if it never holds. */
export async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  if (!condition()) throw new Error('condition not met')
}

/** What each test of a download file starts on; `downloadTestbedEachTest` makes the fields afresh for every test. */
export class DownloadTestbed {
  /** The models folder, which also holds the database. */
  dir!: string
  /** Serves the testbed's files; a test may replace it (closing the old one), and the new one is closed after it. */
  server!: FileServer
  repo!: ModelsRepository
  /** Every snapshot list a queue from `manager` reported, in order. */
  events: DownloadSnapshot[][] = []
  db!: ReturnType<typeof openDatabase>
  readonly managers: DownloadManager[] = []

  constructor(private readonly defaults: Partial<DownloadManagerOptions>) {}

  /** A queue on `repo` into `dir` with the testbed's defaults and then `options`, closed after the test. */
  manager(options: Partial<DownloadManagerOptions> = {}): DownloadManager {
    const onChange = (downloads: DownloadSnapshot[]) => this.events.push(downloads)
    const created = downloadManagerOn(this.repo, this.dir, { onChange, ...this.defaults, ...options })
    this.managers.push(created)
    return created
  }

  /** Waits until download `id` is in one of `states` (done, failed or paused by default). */
  settled(downloads: DownloadManager, id: string, states?: string[]): Promise<DownloadSnapshot> {
    return settledDownload(downloads, id, this.server, states)
  }
}

/**
 * Registers hooks that give each test of the calling file a new models folder (named from `prefix`), a file server
 * holding `files`, and the real models tables, and that close and remove them all, queues first, after it.
 */
export function downloadTestbedEachTest(
  prefix: string,
  files: Record<string, string>,
  defaults: Partial<DownloadManagerOptions> = {},
): DownloadTestbed {
  const testbed = new DownloadTestbed(defaults)
  beforeEach(async () => {
    testbed.dir = mkdtempSync(join(tmpdir(), prefix))
    testbed.server = await startFileServer(files)
    testbed.db = openDatabase(join(testbed.dir, 'gridforge.db'))
    testbed.repo = new ModelsRepository(testbed.db)
    testbed.events = []
  })
  afterEach(async () => {
    await Promise.all(testbed.managers.splice(0).map((m) => m.close()))
    await testbed.server.close()
    testbed.db.close()
    rmSync(testbed.dir, { recursive: true, force: true })
  })
  return testbed
}
