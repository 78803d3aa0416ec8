import { statfsSync } from 'node:fs'
import type { StorageStatus } from '../../shared/storage.js'
import { Emitter } from '../lib/emitter.js'
import { onDiskFull } from './storageErrors.js'

/** Free bytes the data folder's disk needs before GridForge treats it as writable again. */
export const RECOVERED_FREE_BYTES = 16 * 1024 * 1024

/** How often a full disk is looked at again. */
export const FULL_DISK_CHECK_MS = 15_000

/** The banner's sentence while the disk holding the data folder is full. */
export function readOnlySentence(dataDir: string): string {
  return `The disk holding ${dataDir} is full, so GridForge is read-only: your chats and models are there, but nothing new is saved until you free some space (it carries on by itself).`
}

interface Events {
  'storage.status': StorageStatus
}

/** Free bytes for this user on the disk holding `dir`. */
export function freeBytesOf(dir: string): number {
  const stats = statfsSync(dir)
  return stats.bavail * stats.bsize
}

/**
 * Owns whether the database can be written. It turns read-only when the database could only be opened
 * without room for its WAL index (see `openAppDatabase`), or when any write while the app runs finds the
 * disk full (`diskFullError`); then it looks at the free space every `FULL_DISK_CHECK_MS` (and whenever
 * asked) and says writable again once there is room, since SQLite itself carries on writing as soon as the
 * disk has space.
 */
export class StorageHealth {
  readonly events = new Emitter<Events>()
  private current: StorageStatus = { writable: true, reason: null }
  private timer: ReturnType<typeof setInterval> | null = null
  private readonly unwatch: () => void

  private readonly freeBytes: (dir: string) => number
  private readonly recoveredAt: number

  constructor(
    private readonly dataDir: string,
    options: { freeBytes?: (dir: string) => number; recoveredAt?: number } = {},
  ) {
    this.freeBytes = options.freeBytes ?? freeBytesOf
    this.recoveredAt = options.recoveredAt ?? RECOVERED_FREE_BYTES
    this.unwatch = onDiskFull(() => this.markFull())
  }

  /** Whether writes work now; while read-only, the free space is looked at again first. */
  status(): StorageStatus {
    this.check()
    return this.current
  }

  /** The disk is full: read-only until there is room again. */
  markFull(): void {
    if (!this.current.writable) return
    this.set({ writable: false, reason: readOnlySentence(this.dataDir) })
    this.timer = setInterval(() => this.check(), FULL_DISK_CHECK_MS)
    this.timer.unref?.()
  }

  /** Looks at the free space now (also what the timer does). */
  check(): void {
    if (this.current.writable) return
    let free = 0
    try {
      free = this.freeBytes(this.dataDir)
    } catch {
      return
    }
    if (free < this.recoveredAt) return
    this.stop()
    this.set({ writable: true, reason: null })
  }

  /** Stops looking at the disk: until `check`, the timer's one; for good, `close`. */
  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  /** Stops looking and hearing of full disks (the host closing). */
  close(): void {
    this.stop()
    this.unwatch()
  }

  private set(status: StorageStatus): void {
    this.current = status
    this.events.emit('storage.status', status)
  }
}
