import { AppError } from '../../../shared/result.js'

/** Largest file accepted for import, in characters (a large ChatGPT export fits). */
export const MAX_UPLOAD_CHARS = 200 * 1024 * 1024
const STALE_MS = 10 * 60_000

interface Upload {
  parts: string[]
  chars: number
  touchedAt: number
}

/**
 * Reassembles a file the UI sends in pieces: one request frame is limited in size (MAX_REQUEST_BYTES),
 * an export file is not. Pieces must arrive in order; abandoned uploads are dropped after a while.
 */
export class ChunkedUploads {
  private readonly uploads = new Map<string, Upload>()

  constructor(private readonly now: () => number = Date.now) {}

  /** Adds piece `index`; returns the whole text when `last`, otherwise null. */
  add(uploadId: string, index: number, text: string, last: boolean): string | null {
    this.dropStale()
    const upload = index === 0 ? { parts: [], chars: 0, touchedAt: this.now() } : this.uploads.get(uploadId)
    if (!upload || upload.parts.length !== index) {
      this.uploads.delete(uploadId)
      throw new AppError('BAD_REQUEST', 'The file arrived out of order; import it again.')
    }
    upload.parts.push(text)
    upload.chars += text.length
    upload.touchedAt = this.now()
    if (upload.chars > MAX_UPLOAD_CHARS) {
      this.uploads.delete(uploadId)
      throw new AppError('BAD_REQUEST', 'That file is too large to import (over 200 MB).')
    }
    if (!last) {
      this.uploads.set(uploadId, upload)
      return null
    }
    this.uploads.delete(uploadId)
    return upload.parts.join('')
  }

  /** Forgets an upload still arriving; true when there was one. */
  drop(uploadId: string): boolean {
    return this.uploads.delete(uploadId)
  }

  private dropStale(): void {
    for (const [id, upload] of this.uploads) if (this.now() - upload.touchedAt > STALE_MS) this.uploads.delete(id)
  }
}
