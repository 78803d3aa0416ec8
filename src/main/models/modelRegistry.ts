import { existsSync } from 'node:fs'
import { realpath, rm, stat } from 'node:fs/promises'
import { basename, resolve, sep } from 'node:path'
import type { GgufMetadata, LocalModel, ModelFit } from '../../shared/models.js'
import { AppError } from '../../shared/result.js'
import type { ModelRecord, ModelsRepository } from '../store/modelsRepository.js'
import { summarizeGguf } from './ggufSummary.js'
import { findModels, isGgufFile, isRegularFile } from './localModels.js'

/** What registering a file or folder did. */
export interface RegisterResult {
  added: LocalModel[]
  skipped: Array<{ path: string; reason: string }>
}

/** The registered models: files GridForge downloaded, and files registered in place (never copied). */
export class ModelRegistry {
  constructor(
    private readonly repo: ModelsRepository,
    private readonly modelsDir: string,
    /** The fit estimate for a registered file, when already known. */
    private readonly fitOf: (path: string) => ModelFit | null = () => null,
  ) {}

  /** Every registered model; files dropped into the models folder by hand are registered on the way. */
  async list(): Promise<LocalModel[]> {
    const known = new Set(this.repo.listModels().map((model) => model.path))
    for (const found of await findModels(this.modelsDir)) {
      if (!known.has(found.path)) await this.registerFile(found.path, found.fileName, { owned: false }).catch(() => null)
    }
    return this.repo.listModels().map((record) => this.toLocal(record))
  }

  get(id: string): LocalModel | null {
    const record = this.repo.getModel(id)
    return record ? this.toLocal(record) : null
  }

  /** A model by id, file name or path. */
  find(reference: string): LocalModel | null {
    const records = this.repo.listModels()
    const record =
      records.find((r) => r.id === reference) ??
      records.find((r) => r.fileName === reference || r.fileName === `${reference}.gguf`) ??
      records.find((r) => r.path === resolve(reference))
    return record ? this.toLocal(record) : null
  }

  /** Registers a GGUF file, or every GGUF model in a folder (LM Studio, Ollama and plain folders). */
  async register(path: string): Promise<RegisterResult> {
    const target = resolve(path)
    const info = await stat(target).catch(() => null)
    if (!info) throw new AppError('NOT_FOUND', `Nothing exists at ${target}.`)
    const result: RegisterResult = { added: [], skipped: [] }
    const files = info.isDirectory() ? await findModels(target) : [{ path: target, fileName: basename(target) }]
    if (info.isDirectory() && files.length === 0) throw new AppError('NOT_FOUND', `No GGUF models were found in ${target}.`)
    for (const file of files) {
      try {
        result.added.push(await this.registerFile(file.path, file.fileName, { owned: false }))
      } catch (error) {
        result.skipped.push({ path: file.path, reason: error instanceof Error ? error.message : String(error) })
      }
    }
    if (!info.isDirectory() && result.skipped[0]) throw new AppError('MODEL_INVALID', result.skipped[0].reason)
    return result
  }

  /** Registers a file GridForge has just downloaded and verified. */
  async registerDownloaded(path: string, details: { source: string; catalogId: string | null; sha256: string }): Promise<LocalModel> {
    const model = await this.registerFile(path, basename(path), { owned: true, ...details })
    // A listing between the rename and this call may have registered the file as found in the folder.
    if (!model.owned) this.repo.markDownloaded(path, details)
    return this.toLocal(this.repo.findModelByPath(path)!)
  }

  /**
   * Forgets a model. Its file is deleted only when GridForge downloaded it into the models folder; files
   * registered in place belong to the user (or to LM Studio, Ollama…) and stay.
   */
  async remove(id: string): Promise<{ fileDeleted: boolean }> {
    const record = this.repo.getModel(id)
    if (!record) throw new AppError('NOT_FOUND', `No model "${id}" is registered.`)
    const deletable = record.owned && (await this.insideModelsDir(record.path))
    if (deletable) await rm(record.path, { force: true })
    this.repo.removeModel(id)
    return { fileDeleted: deletable }
  }

  private async registerFile(
    path: string,
    fileName: string,
    details: { owned: boolean; source?: string; catalogId?: string | null; sha256?: string },
  ): Promise<LocalModel> {
    const existing = this.repo.findModelByPath(path)
    if (existing) return this.toLocal(existing)
    if (!(await isRegularFile(path))) {
      throw new AppError('MODEL_INVALID', `${basename(path)} is not a regular file (a pipe, socket or device), so it cannot be a model.`)
    }
    if (!(await isGgufFile(path))) throw new AppError('MODEL_INVALID', `${basename(path)} is not a GGUF model file.`)
    const summary = await summarizeGguf(path)
    const metadata: GgufMetadata = {
      name: summary.name,
      architecture: summary.architecture,
      quantization: summary.quantization,
      contextLength: summary.contextLength,
      parameters: summary.parameters,
      hasChatTemplate: summary.hasChatTemplate,
    }
    const record = this.repo.addModel({
      path,
      fileName,
      sizeBytes: summary.sizeBytes ?? 0,
      sha256: details.sha256 ?? null,
      source: details.source ?? null,
      catalogId: details.catalogId ?? null,
      owned: details.owned,
      metadata,
    })
    return this.toLocal(record)
  }

  private async insideModelsDir(path: string): Promise<boolean> {
    const [dir, file] = await Promise.all([realpath(this.modelsDir), realpath(path).catch(() => null)])
    return file !== null && file.startsWith(dir + sep)
  }

  private toLocal(record: ModelRecord): LocalModel {
    return { ...record, fit: this.fitOf(record.path), present: existsSync(record.path) }
  }
}
