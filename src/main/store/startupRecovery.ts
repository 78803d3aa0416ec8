import { basename } from 'node:path'
import { openDatabase } from './database.js'
import { latestBackup, recoverDatabase, UnusableDatabaseError, type RecoveryMode } from './databaseRecovery.js'

/** What the desktop asks when the database cannot be opened: its dialog shows this and answers a button's index. */
export interface RecoveryQuestion {
  message: string
  detail: string
  buttons: string[]
  defaultId: number
  cancelId: number
}

/** The desktop's dialog: shows the question, resolves with the index of the button pressed. */
export type AskUser = (question: RecoveryQuestion) => Promise<number>

const QUIT = 'Quit'

/** The question for an unusable database, and the way out each button takes (null: quit). */
export function recoveryQuestion(
  error: UnusableDatabaseError,
  file: string,
  hasBackup: boolean,
): { question: RecoveryQuestion; modes: Array<RecoveryMode | null> } {
  const name = basename(file)
  const message =
    error.kind === 'damaged'
      ? `The history database ${name} is damaged.`
      : `${name} was written by a newer GridForge; update GridForge to keep using it.`
  const modes: Array<RecoveryMode | null> = hasBackup ? ['backup', 'fresh', null] : ['fresh', null]
  const labels: Record<RecoveryMode, string> = { backup: 'Open the latest backup', fresh: 'Start a new history' }
  const detail = `${hasBackup ? 'Open the latest backup, or start a new history.' : 'There is no backup of it; you can start a new history.'} Either way the old file is kept beside it, renamed ${name}.damaged-<time>.`
  return {
    question: {
      message,
      detail,
      buttons: modes.map((mode) => (mode ? labels[mode] : QUIT)),
      defaultId: 0,
      cancelId: modes.length - 1,
    },
    modes,
  }
}

/**
 * Before the desktop host starts: opens the database once, and when it is damaged or newer asks the user
 * the way out (`gridforge serve --recover backup|fresh`'s, the same `recoverDatabase`) and tries again.
 * Resolves true when the host can start, false when the user chose to quit; other failures throw as they
 * are (the shell says them in its error box).
 */
export async function ensureUsableDatabase(file: string, ask: AskUser, options: { nativeBinding?: string } = {}): Promise<boolean> {
  for (;;) {
    try {
      openDatabase(file, undefined, options).close()
      return true
    } catch (error) {
      if (!(error instanceof UnusableDatabaseError)) throw error
      const { question, modes } = recoveryQuestion(error, file, latestBackup(file) !== null)
      const mode = modes[await ask(question)] ?? null
      if (!mode) return false
      recoverDatabase(file, mode)
    }
  }
}
