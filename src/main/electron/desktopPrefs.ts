import { z } from 'zod'
import type { LoginItemSettings } from '../../shared/domain.js'
import { readJsonFile, writeJsonFile } from './jsonFile.js'

const prefsSchema = z.object({
  trayHintShown: z.boolean().catch(false),
  loginItem: z
    .object({ openAtLogin: z.boolean(), startHidden: z.boolean(), startEarning: z.boolean() })
    .catch({ openAtLogin: false, startHidden: false, startEarning: false }),
  // Off unless the user turns it on: Chromium's spellchecker downloads its dictionaries from Google.
  spellcheck: z.boolean().catch(false),
})

/** The desktop shell's own preferences (`desktop.json` in the data folder; no migration needed). */
export type DesktopPrefs = z.infer<typeof prefsSchema>

/** Start at login is opt-in: everything off until the user turns it on. */
export const LOGIN_ITEM_OFF: LoginItemSettings = { openAtLogin: false, startHidden: false, startEarning: false }
const DEFAULTS: DesktopPrefs = { trayHintShown: false, loginItem: LOGIN_ITEM_OFF, spellcheck: false }

/** Reads and writes `desktop.json`; a missing or damaged file gives the defaults. */
export class DesktopPrefsFile {
  constructor(private readonly file: string) {}

  read(): DesktopPrefs {
    return readJsonFile(this.file, prefsSchema, DEFAULTS)
  }

  update(change: Partial<DesktopPrefs>): DesktopPrefs {
    const next = { ...this.read(), ...change }
    writeJsonFile(this.file, next)
    return next
  }
}
