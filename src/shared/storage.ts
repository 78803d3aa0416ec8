/** Whether the history can be saved, and if not, the one sentence the UI shows across the top. */
export interface StorageStatus {
  writable: boolean
  reason: string | null
}

/** How far a chat import has got, in messages, for the import's progress bar. */
export interface ImportProgressEvent {
  uploadId: string
  stored: number
  total: number
}
