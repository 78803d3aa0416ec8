import { AppError } from '../../shared/result.js'

/** The one sentence every write that hits a full disk answers with (SQLite, secrets, downloads). */
export const DISK_FULL_SENTENCE = 'The disk is full, so GridForge could not save; free some space and try again.'

const diskFullListeners = new Set<() => void>()

/**
 * Hears every write that found the disk full, whichever store it was (the storage health's banner);
 * returns how to stop hearing. A process has one data folder, so one list serves it.
 */
export function onDiskFull(listener: () => void): () => void {
  diskFullListeners.add(listener)
  return () => diskFullListeners.delete(listener)
}

/** A full disk as the error every caller and the UI recognise; the storage health hears of it. */
export function diskFullError(): AppError {
  for (const listener of diskFullListeners) listener()
  return new AppError('NOT_ENOUGH_SPACE', DISK_FULL_SENTENCE)
}

/** True for a file-system error that means the disk (or the user's quota) is full. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL'
}

/**
 * Turns SQLite failures a user can do something about into one clear sentence; anything else is
 * rethrown as it is.
 */
export function asStorageError(error: unknown): unknown {
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error
  if (code === 'SQLITE_FULL') return diskFullError()
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_CANTOPEN')) {
    return new AppError('STORAGE_FAILED', 'GridForge cannot write to its data folder; check its permissions.')
  }
  if (code.startsWith('SQLITE_IOERR'))
    return new AppError('STORAGE_FAILED', 'Saving failed because of a disk error; check the disk and try again.')
  if (code === 'SQLITE_BUSY') return new AppError('STORAGE_FAILED', 'The history is locked by another GridForge; close it and try again.')
  return error
}

/** Runs a store operation, turning storage failures into clear AppErrors. */
export function withStorage<T>(operation: () => T): T {
  try {
    return operation()
  } catch (error) {
    throw asStorageError(error)
  }
}
