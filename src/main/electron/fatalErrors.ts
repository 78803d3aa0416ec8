/** What is done with an error nobody caught. */
export interface FatalErrorSinks {
  log(what: string, error: unknown): void
  /** Shows the user a dialog; the app keeps running. */
  show(title: string, message: string): void
  now?: () => number
}

/** Dialogs for the same failure repeating in a loop would bury the app; one per this many ms at most. */
const DIALOG_INTERVAL_MS = 10_000

/**
 * Uncaught exceptions and unhandled rejections in the main process are logged and shown in a dialog
 * instead of silently ending the app (Node's default) or silently vanishing (a bare listener).
 */
export function installFatalErrorHandlers(
  target: { on(event: 'uncaughtException' | 'unhandledRejection', listener: (error: unknown) => void): unknown },
  sinks: FatalErrorSinks,
  logsDir: string,
): void {
  const now = sinks.now ?? Date.now
  let lastShownAt = Number.NEGATIVE_INFINITY
  const handle = (what: string) => (error: unknown) => {
    sinks.log(what, error)
    if (now() - lastShownAt < DIALOG_INTERVAL_MS) return
    lastShownAt = now()
    try {
      sinks.show('GridForge hit an unexpected error', describe(error, logsDir))
    } catch (dialogError) {
      sinks.log('could not show the error dialog', dialogError)
    }
  }
  target.on('uncaughtException', handle('uncaught exception in the main process'))
  target.on('unhandledRejection', handle('unhandled rejection in the main process'))
}

function describe(error: unknown, logsDir: string): string {
  const message = error instanceof Error ? error.message : String(error)
  const firstLine = message.split('\n')[0]?.slice(0, 300) || 'unknown error'
  return `${firstLine}\n\nGridForge keeps running, but if something looks wrong, restart it. Details are in the log in ${logsDir}.`
}
