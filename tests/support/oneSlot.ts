import { EarnSettingsStore } from '../../src/main/earn/earnSettings.js'
import { dataPaths } from '../../src/main/host/dataDir.js'
import { openDatabase } from '../../src/main/store/database.js'
import { SettingsRepository } from '../../src/main/store/settingsRepository.js'

/**
 * Gives the miner of `dataDir` a setting of one slot when it has none, as a user typing 1 in the Earn
 * settings would: with the calibrated default, a PC that measures 2 slots faster registers `NAME-1` and
 * `NAME-2` (grid-protocol.md §16), and a spec's worker names and job counts would depend on this PC's
 * numbers. A spec that checks the calibration saves `slots: null` itself (earnStatus.web.spec.ts).
 */
export function pinOneSlot(dataDir: string): void {
  const db = openDatabase(dataPaths(dataDir).database)
  try {
    const store = new EarnSettingsStore(new SettingsRepository(db))
    if (store.current().slots === null) store.save({ ...store.current(), slots: 1 })
  } finally {
    db.close()
  }
}
