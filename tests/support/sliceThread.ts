/**
 * A background writer on its own thread and connection, as the chat import is: each slice is one IMMEDIATE
 * transaction that logs its name and holds the lock `holdMs`, taken in turns with the host
 * (tests/integration/writeTurns.test.ts). `control[0]` counts slices begun, for the test to wait on.
 */
import { workerData } from 'node:worker_threads'
import { openDatabase } from '../../src/main/store/database.js'
import { inTurn, takeBackgroundTurns } from '../../src/main/store/writeTurns.js'

const { file, turns, control, slices, holdMs } = workerData as {
  file: string
  turns: SharedArrayBuffer | null
  control: SharedArrayBuffer
  slices: number
  holdMs: number
}
const begun = new Int32Array(control)
const db = openDatabase(file)
if (turns) takeBackgroundTurns(db, turns)
const log = db.prepare<[string]>('INSERT INTO turn_log (who) VALUES (?)')
for (let slice = 1; slice <= slices; slice += 1) {
  inTurn(db, () =>
    db
      .transaction(() => {
        log.run(`slice ${slice}`)
        Atomics.add(begun, 0, 1)
        Atomics.notify(begun, 0)
        Atomics.wait(begun, 1, 0, holdMs)
      })
      .immediate(),
  )
}
db.close()
