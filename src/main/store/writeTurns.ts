import type Database from 'better-sqlite3'

/** Slices of background writers inside a transaction now (one import at a time; a count keeps two honest). */
const HOLDING = 0
/** Host writes waiting for the lock or running. */
const WAITING = 1
/** A host write waits this long for a slice at most, then leaves the rest to SQLite's busy timeout (a thread that died holding it). */
const HOST_PATIENCE_MS = 1_000

/**
 * Turns at a database's write lock between the host and a background writer on its own connection (the chat
 * import thread), kept in shared memory. SQLite's busy handler retries a blocked write after 1, 2, 5, 10… ms,
 * so a host write that met a 2 ms slice slept 3–18 ms, and the slice's next retry competed with it. Here the
 * host write wakes the moment the slice commits, and no new slice starts while a host write waits: the host
 * (the job ledger, chat) always goes first.
 */
export class WriteTurns {
  readonly buffer: SharedArrayBuffer
  private readonly words: Int32Array
  /** This thread's slice already running: a write inside it is part of it. */
  private depth = 0

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer
    this.words = new Int32Array(buffer)
  }

  /** Runs a host write once no background slice holds the lock (blocking, as SQLite's own wait does). */
  host<T>(write: () => T): T {
    Atomics.add(this.words, WAITING, 1)
    try {
      if (Atomics.load(this.words, HOLDING) > 0) this.waitForSlice()
      return write()
    } finally {
      if (Atomics.sub(this.words, WAITING, 1) === 1) Atomics.notify(this.words, WAITING)
    }
  }

  private waitForSlice(): void {
    const deadline = performance.now() + HOST_PATIENCE_MS
    for (let holding = Atomics.load(this.words, HOLDING); holding > 0; holding = Atomics.load(this.words, HOLDING)) {
      const left = deadline - performance.now()
      if (left <= 0) return
      Atomics.wait(this.words, HOLDING, holding, left)
    }
  }

  /** Runs one background slice, after every host write that is waiting has run (blocking: call it off the host thread). */
  background<T>(slice: () => T): T {
    if (this.depth > 0) return slice()
    for (;;) {
      const waiting = Atomics.load(this.words, WAITING)
      if (waiting > 0) {
        Atomics.wait(this.words, WAITING, waiting, HOST_PATIENCE_MS)
        continue
      }
      // Announce first, then look again: a host write that arrived in between waits for this slice or this slice yields to it.
      Atomics.add(this.words, HOLDING, 1)
      if (Atomics.load(this.words, WAITING) === 0) break
      this.release()
    }
    this.depth += 1
    try {
      return slice()
    } finally {
      this.depth -= 1
      this.release()
    }
  }

  /** Whether a host write waits now: a background slice ends early for it. */
  hostWaiting(): boolean {
    return Atomics.load(this.words, WAITING) > 0
  }

  /** Whether a background slice holds the lock now. */
  backgroundWriting(): boolean {
    return Atomics.load(this.words, HOLDING) > 0
  }

  /** Clears a slice that will never end (its thread is gone). */
  releaseAll(): void {
    Atomics.store(this.words, HOLDING, 0)
    Atomics.notify(this.words, HOLDING)
  }

  private release(): void {
    Atomics.sub(this.words, HOLDING, 1)
    Atomics.notify(this.words, HOLDING)
  }
}

const turnsOf = new WeakMap<Database.Database, { turns: WriteTurns; side: 'host' | 'background' }>()

/** The host connection's turns, made on first use; its buffer goes to each background writer. */
export function hostWriteTurns(db: Database.Database): WriteTurns {
  const known = turnsOf.get(db)
  if (known) return known.turns
  const turns = new WriteTurns()
  turnsOf.set(db, { turns, side: 'host' })
  return turns
}

/** Makes `db` (a background writer's own connection) take its turns from the host's `buffer`. */
export function takeBackgroundTurns(db: Database.Database, buffer: SharedArrayBuffer): WriteTurns {
  const turns = new WriteTurns(buffer)
  turnsOf.set(db, { turns, side: 'background' })
  return turns
}

/**
 * Runs one write on `db` in its turn: a connection that never shared its lock writes at once. Every
 * repository's writes go through here, so none is overtaken by a background slice.
 */
export function inTurn<T>(db: Database.Database, write: () => T): T {
  const bound = turnsOf.get(db)
  if (!bound) return write()
  return bound.side === 'host' ? bound.turns.host(write) : bound.turns.background(write)
}
