import type Database from 'better-sqlite3'

const handedOff = new WeakMap<Database.Database, { count: number; pages: number }>()

/**
 * Leaves `db`'s WAL checkpoints to a background writer on its own connection while it runs (the chat
 * import thread checkpoints between its slices). SQLite checkpoints inside the commit of whichever
 * connection finds the WAL past its threshold, and it counts every frame since the WAL last restarted: with
 * an import writing all the time that was every host commit, each copying the import's latest pages and
 * syncing the file inside a job's ledger write (5–50 ms). Returns the function that gives them back.
 */
export function handOffCheckpoints(db: Database.Database): () => void {
  const current = handedOff.get(db)
  if (current) current.count += 1
  else {
    handedOff.set(db, { count: 1, pages: Number(db.pragma('wal_autocheckpoint', { simple: true })) })
    db.pragma('wal_autocheckpoint = 0')
  }
  let given = false
  return () => {
    const state = handedOff.get(db)
    if (given || !state) return
    given = true
    state.count -= 1
    if (state.count > 0) return
    handedOff.delete(db)
    if (db.open) db.pragma(`wal_autocheckpoint = ${state.pages}`)
  }
}
