import type Database from 'better-sqlite3'
import { z } from 'zod'
import type { DownloadState, GgufMetadata } from '../../shared/models.js'
import { withStorage } from './storageErrors.js'
import { inTurn } from './writeTurns.js'

/** A registered model as stored. */
export interface ModelRecord {
  id: string
  path: string
  fileName: string
  sizeBytes: number
  sha256: string | null
  source: string | null
  catalogId: string | null
  owned: boolean
  metadata: GgufMetadata | null
  addedAt: number
}

/** A download as stored; the partial file on disk holds the bytes, this row holds the intent. */
export interface DownloadRecord {
  id: string
  source: string
  catalogId: string | null
  fileName: string
  expectedSha256: string | null
  totalBytes: number | null
  receivedBytes: number
  state: DownloadState
  error: string | null
  position: number
  createdAt: number
  updatedAt: number
}

const metadataSchema = z.object({
  name: z.string(),
  architecture: z.string().nullable(),
  quantization: z.string().nullable(),
  contextLength: z.number().nullable(),
  parameters: z.number().nullable(),
  hasChatTemplate: z.boolean(),
})

interface ModelRow {
  id: string
  path: string
  file_name: string
  size_bytes: number
  sha256: string | null
  source: string | null
  catalog_id: string | null
  owned: number
  metadata: string | null
  added_at: number
}

interface DownloadRow {
  id: string
  source: string
  catalog_id: string | null
  file_name: string
  expected_sha256: string | null
  total_bytes: number | null
  received_bytes: number
  state: DownloadState
  error: string | null
  position: number
  created_at: number
  updated_at: number
}

/** Registered models and the download queue in SQLite. */
export class ModelsRepository {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {}

  listModels(): ModelRecord[] {
    return this.db.prepare<[], ModelRow>('SELECT * FROM models ORDER BY file_name COLLATE NOCASE').all().map(toModel)
  }

  getModel(id: string): ModelRecord | null {
    const row = this.db.prepare<[string], ModelRow>('SELECT * FROM models WHERE id = ?').get(id)
    return row ? toModel(row) : null
  }

  findModelByPath(path: string): ModelRecord | null {
    const row = this.db.prepare<[string], ModelRow>('SELECT * FROM models WHERE path = ?').get(path)
    return row ? toModel(row) : null
  }

  /** Registers a model, giving it a short id unique among registered models (`<stem>`, `<stem>-2`, …). */
  addModel(model: Omit<ModelRecord, 'id' | 'addedAt'>): ModelRecord {
    const insert = this.db.transaction(() => {
      const existing = this.findModelByPath(model.path)
      if (existing) return existing
      const id = this.freeId(slug(model.fileName))
      const record: ModelRecord = { ...model, id, addedAt: this.now() }
      this.db
        .prepare(
          `INSERT INTO models (id, path, file_name, size_bytes, sha256, source, catalog_id, owned, metadata, added_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          record.path,
          record.fileName,
          record.sizeBytes,
          record.sha256,
          record.source,
          record.catalogId,
          record.owned ? 1 : 0,
          record.metadata ? JSON.stringify(record.metadata) : null,
          record.addedAt,
        )
      return record
    })
    // IMMEDIATE: it reads before it writes, which fails at once (SQLITE_BUSY) while the import thread writes.
    return this.write(() => insert.immediate())
  }

  /** Marks a registered file as downloaded by GridForge (it may have been found by a folder scan first). */
  markDownloaded(path: string, details: { sha256: string; source: string; catalogId: string | null }): void {
    this.write(() =>
      this.db
        .prepare('UPDATE models SET owned = 1, sha256 = ?, source = ?, catalog_id = ? WHERE path = ?')
        .run(details.sha256, details.source, details.catalogId, path),
    )
  }

  removeModel(id: string): boolean {
    return this.write(() => this.db.prepare('DELETE FROM models WHERE id = ?').run(id).changes > 0)
  }

  listDownloads(): DownloadRecord[] {
    return this.db.prepare<[], DownloadRow>('SELECT * FROM downloads ORDER BY position').all().map(toDownload)
  }

  getDownload(id: string): DownloadRecord | null {
    const row = this.db.prepare<[string], DownloadRow>('SELECT * FROM downloads WHERE id = ?').get(id)
    return row ? toDownload(row) : null
  }

  addDownload(download: Pick<DownloadRecord, 'id' | 'source' | 'catalogId' | 'fileName' | 'expectedSha256'>): DownloadRecord {
    const now = this.now()
    const position = (this.db.prepare<[], { max: number | null }>('SELECT MAX(position) AS max FROM downloads').get()?.max ?? 0) + 1
    this.write(() =>
      this.db
        .prepare(
          `INSERT INTO downloads (id, source, catalog_id, file_name, expected_sha256, total_bytes, received_bytes, state,
           error, position, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, NULL, 0, 'queued', NULL, ?, ?, ?)`,
        )
        .run(download.id, download.source, download.catalogId, download.fileName, download.expectedSha256, position, now, now),
    )
    return this.getDownload(download.id)!
  }

  updateDownload(
    id: string,
    change: Partial<Pick<DownloadRecord, 'state' | 'error' | 'totalBytes' | 'receivedBytes' | 'expectedSha256'>>,
  ): void {
    const current = this.getDownload(id)
    if (!current) return
    const next = { ...current, ...change }
    this.write(() =>
      this.db
        .prepare(
          `UPDATE downloads SET state = ?, error = ?, total_bytes = ?, received_bytes = ?, expected_sha256 = ?, updated_at = ?
         WHERE id = ?`,
        )
        .run(next.state, next.error, next.totalBytes, next.receivedBytes, next.expectedSha256, this.now(), id),
    )
  }

  removeDownload(id: string): void {
    this.write(() => this.db.prepare('DELETE FROM downloads WHERE id = ?').run(id))
  }

  /** A write in this connection's turn at the lock, with the disk-full sentence on failure. */
  private write<T>(work: () => T): T {
    return withStorage(() => inTurn(this.db, work))
  }

  private freeId(base: string): string {
    const taken = this.db.prepare<[string], { id: string }>('SELECT id FROM models WHERE id = ?')
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? base : `${base}-${n}`
      if (!taken.get(candidate)) return candidate
    }
  }
}

/** `Qwen2.5-7B-Instruct-Q4_K_M.gguf` → `qwen2.5-7b-instruct-q4_k_m`: short enough to type in `models rm`. */
function slug(fileName: string): string {
  const stem = fileName.replace(/\.gguf$/i, '').toLowerCase()
  return (
    stem
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'model'
  )
}

function toModel(row: ModelRow): ModelRecord {
  let metadata: GgufMetadata | null = null
  if (row.metadata) {
    try {
      const parsed = metadataSchema.safeParse(JSON.parse(row.metadata))
      metadata = parsed.success ? parsed.data : null
    } catch {
      metadata = null
    }
  }
  return {
    id: row.id,
    path: row.path,
    fileName: row.file_name,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    source: row.source,
    catalogId: row.catalog_id,
    owned: row.owned === 1,
    metadata,
    addedAt: row.added_at,
  }
}

function toDownload(row: DownloadRow): DownloadRecord {
  return {
    id: row.id,
    source: row.source,
    catalogId: row.catalog_id,
    fileName: row.file_name,
    expectedSha256: row.expected_sha256,
    totalBytes: row.total_bytes,
    receivedBytes: row.received_bytes,
    state: row.state,
    error: row.error,
    position: row.position,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
