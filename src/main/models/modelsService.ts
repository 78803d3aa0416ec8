import type { Events } from '../../shared/api.js'
import type { CatalogEntry, CatalogItem, DownloadSnapshot, HardwareInfo, LocalModel } from '../../shared/models.js'
import { AppError } from '../../shared/result.js'
import type { SecretStore } from '../store/secretStore.js'
import type { Engine, ModelInspector } from '../engine/engine.js'
import { Emitter, type EventListener } from '../lib/emitter.js'
import type { ModelsRepository } from '../store/modelsRepository.js'
import type { DenRegistry } from '../../grid/denRegistry.js'
import { catalogNamesFor } from './advertisedNames.js'
import { hfFileUrl } from './catalog.js'
import { DownloadManager } from './downloadManager.js'
import { FitEstimates, offlineNote } from './fitEstimates.js'
import { isHfRepoUri, resolveHfRepoUri } from './hfRepoFiles.js'
import { ModelRegistry, type RegisterResult } from './modelRegistry.js'
import { hostAnswers } from './hostProbe.js'
import { recommendModel } from './recommend.js'

export const HF_TOKEN = 'huggingface-token'
const DEFAULT_HF_ENDPOINT = 'https://huggingface.co'
/** Catalog headers read at once (each is a few MB of tokenizer data). */
const ESTIMATE_CONCURRENCY = 2

/** What the models service is built from. */
export interface ModelsServiceOptions {
  repo: ModelsRepository
  modelsDir: string
  catalog: readonly CatalogEntry[]
  inspector: ModelInspector
  engine: Engine
  secrets: SecretStore
  hfEndpoint?: string
  freeBytes?: (dir: string) => Promise<number>
  downloadBackoff?: { initialMs: number; maxMs: number }
  /** See `DownloadManagerOptions.resumeQueue`. */
  resumeDownloads?: boolean
  log?: (line: string) => void
}

/** What the models service tells the transports (and Start earning, which follows its downloads). */
export type ModelsEvents = Pick<Events, 'models.local' | 'models.downloads' | 'models.catalog'>

/** Catalog, downloads, registered models and fit estimates, as the Models view and the CLI use them. */
export class ModelsService {
  readonly downloads: DownloadManager
  readonly registry: ModelRegistry
  private readonly fits: FitEstimates
  private readonly events: Emitter<ModelsEvents>
  private readonly hfEndpoint: string
  private estimatingCatalog = false
  /** Set on close: estimates still arriving from the engine must not touch the closed database. */
  private closed = false
  /** Background refreshes (events after an estimate or a download) that close waits for: each reads the database after an await. */
  private readonly refreshing = new Set<Promise<void>>()

  constructor(private readonly options: ModelsServiceOptions) {
    this.events = new Emitter<ModelsEvents>(options.log)
    this.hfEndpoint = (options.hfEndpoint ?? DEFAULT_HF_ENDPOINT).replace(/\/$/, '')
    this.fits = new FitEstimates(options.inspector)
    this.registry = new ModelRegistry(options.repo, options.modelsDir, (path) => this.fits.known(path))
    this.downloads = new DownloadManager({
      repo: options.repo,
      modelsDir: options.modelsDir,
      catalog: options.catalog,
      hfEndpoint: this.hfEndpoint === DEFAULT_HF_ENDPOINT ? undefined : this.hfEndpoint,
      freeBytes: options.freeBytes,
      backoff: options.downloadBackoff,
      resumeQueue: options.resumeDownloads,
      log: options.log,
      headersFor: (url) => this.headersFor(url),
      onChange: (downloads) => this.events.emit('models.downloads', downloads),
      register: async (download, path, result) => {
        // The header is read and the file checked for completeness before it is offered anywhere; an engine
        // that is restarting only delays the fit estimate.
        await options.inspector.inspect(path).catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'MODEL_INVALID') throw error
        })
        const model = await this.registry.registerDownloaded(path, {
          source: download.source,
          catalogId: download.catalogId,
          sha256: result.sha256,
        })
        this.inBackground(() => this.emitLocal())
        return model.id
      },
    })
  }

  /** Calls `listener` with every models event; returns the function that stops it. */
  subscribe(listener: EventListener<ModelsEvents>): () => void {
    return this.events.subscribe(listener)
  }

  /** One models event only, typed (Start earning follows a download this way). */
  on<K extends keyof ModelsEvents>(name: K, listener: (payload: ModelsEvents[K]) => void): () => void {
    return this.events.on(name, listener)
  }

  /** Resumes the download queue left by the last run. */
  start(): void {
    this.downloads.start()
  }

  /** Registered models with the fit estimates known so far (all of them with `waitForEstimates`). */
  async listLocal({ waitForEstimates = false } = {}): Promise<LocalModel[]> {
    const models = await this.registry.list()
    const estimated = this.estimateMissing(
      models.filter((m) => m.present && !m.fit).map((m) => m.path),
      () => this.inBackground(() => this.emitLocal()),
    )
    if (!waitForEstimates) return models
    await estimated
    return this.registry.list()
  }

  /**
   * The catalog with the fit badges known so far; the rest arrive as `models.catalog` events (or, with
   * `waitForEstimates`, before this returns).
   */
  async catalog({ waitForEstimates = false } = {}): Promise<CatalogItem[]> {
    const missing = this.options.catalog.filter((entry) => !this.fits.known(this.headerUrl(entry)))
    const estimated = this.estimateCatalog(missing.map((entry) => this.headerUrl(entry)))
    if (waitForEstimates) await estimated
    return this.catalogItems()
  }

  /**
   * Asks the model host once, quickly, whether it answers at all, then reads one header: when the network is
   * down (or the host never answers), every entry is marked "offline" within seconds instead of each timing out.
   */
  private async estimateCatalog(sources: string[]): Promise<void> {
    const [first, ...rest] = sources
    if (first === undefined || this.estimatingCatalog) return
    this.estimatingCatalog = true
    const publish = () => {
      this.inBackground(async () => {
        const items = await this.catalogItems()
        if (!this.closed) this.events.emit('models.catalog', items)
      })
    }
    const allOffline = () => {
      for (const source of sources) this.fits.markUnknown(source, offlineNote(source))
      publish()
    }
    try {
      if (!(await hostAnswers(first))) return allOffline()
      const fit = await this.fits.estimate(first)
      const httpAnswer = /HTTP|\b[45]\d\d\b/.test(fit.note ?? '')
      if (fit.kind === 'unknown' && !httpAnswer) {
        for (const source of rest) this.fits.markUnknown(source, offlineNote(source))
        publish()
        return
      }
      publish()
      await this.estimateMissing(rest, publish)
    } finally {
      this.estimatingCatalog = false
    }
  }

  hardware(): Promise<HardwareInfo> {
    return this.fits.hardware()
  }

  async register(path: string): Promise<RegisterResult> {
    const result = await this.registry.register(path)
    await this.emitLocal()
    return result
  }

  async remove(id: string): Promise<{ fileDeleted: boolean }> {
    const model = this.registry.get(id)
    if (!model) throw new AppError('NOT_FOUND', `No model "${id}" is registered.`)
    const loaded = this.options.engine.snapshot().model
    if (loaded?.path === model.path) throw new AppError('BUSY', `${model.fileName} is loaded; unload it before removing it.`)
    const result = await this.registry.remove(id)
    this.fits.forget(model.path)
    await this.emitLocal()
    return result
  }

  /** Queues a download; an `hf:<user>/<repo>[:<quant>]` URI is first resolved to one of the repo's files. */
  async enqueueDownload(source: string, sha256?: string | null): Promise<DownloadSnapshot> {
    if (!isHfRepoUri(source)) return this.downloads.enqueue(source, sha256)
    const file = await resolveHfRepoUri(source, this.hfEndpoint, this.headersFor(this.hfEndpoint))
    return this.downloads.enqueue(file, sha256)
  }

  setHfToken(token: string | null): { hasToken: boolean } {
    if (token) this.options.secrets.set(HF_TOKEN, token)
    else this.options.secrets.delete(HF_TOKEN)
    return { hasToken: token !== null }
  }

  hasHfToken(): boolean {
    return this.options.secrets.get(HF_TOKEN) !== null
  }

  /** The grid model names for a loaded file: the catalog's when it came from the catalog, the registry's on AIPG for a registry model. */
  advertisedFor(path: string, registry?: DenRegistry): CatalogEntry['advertised'] | null {
    const loaded = this.options.engine.snapshot().model
    const ggufNames = loaded?.path === path ? loaded.ggufNames : undefined
    return catalogNamesFor(path, this.options.repo, this.options.catalog, registry, ggufNames)
  }

  async close(): Promise<void> {
    this.closed = true
    await Promise.all([this.downloads.close(), ...this.refreshing])
  }

  /** Runs a refresh nobody awaits: close waits for it, and a failure is logged rather than left unhandled. */
  private inBackground(refresh: () => Promise<void>): void {
    if (this.closed) return
    // Started a microtask later, so a close called from anywhere inside it already finds it here.
    const running = Promise.resolve()
      .then(refresh)
      .catch((error: unknown) => {
        this.options.log?.(`models: refreshing the list failed: ${error instanceof Error ? error.message : String(error)}`)
      })
    this.refreshing.add(running)
    void running.finally(() => this.refreshing.delete(running))
  }

  private async catalogItems(): Promise<CatalogItem[]> {
    const fits = new Map(
      this.options.catalog.flatMap((entry) => {
        const fit = this.fits.known(this.headerUrl(entry))
        return fit ? [[entry.id, fit] as const] : []
      }),
    )
    const hardware = await this.fits.hardware().catch(() => null)
    const recommended = hardware ? recommendModel(this.options.catalog, fits, hardware) : null
    const local = this.options.repo.listModels()
    return this.options.catalog.map((entry) => ({
      ...entry,
      fit: fits.get(entry.id) ?? {
        kind: 'unknown',
        gpuLayers: 0,
        totalLayers: 0,
        contextSize: 0,
        ramBytes: 0,
        vramBytes: 0,
        note: 'Estimating…',
      },
      recommended: entry.id === recommended,
      localModelId: local.find((model) => model.catalogId === entry.id || model.fileName === entry.fileName)?.id ?? null,
    }))
  }

  private async estimateMissing(sources: string[], onEach: () => void): Promise<void> {
    const queue = [...sources]
    const worker = async () => {
      for (let source = queue.shift(); source !== undefined && !this.closed; source = queue.shift()) {
        await this.fits.estimate(source)
        if (!this.closed) onEach()
      }
    }
    await Promise.all(Array.from({ length: Math.min(ESTIMATE_CONCURRENCY, queue.length) }, worker))
  }

  private headerUrl(entry: CatalogEntry): string {
    const url = hfFileUrl(entry.uri) ?? entry.uri
    return url.replace(DEFAULT_HF_ENDPOINT, this.hfEndpoint)
  }

  private headersFor(url: string): Record<string, string> {
    const token = this.options.secrets.get(HF_TOKEN)
    const hfHost = new URL(this.hfEndpoint).host
    return token && new URL(url).host === hfHost ? { authorization: `Bearer ${token}` } : {}
  }

  private async emitLocal(): Promise<void> {
    if (this.closed) return
    const models = await this.registry.list()
    if (!this.closed) this.events.emit('models.local', models)
  }
}
