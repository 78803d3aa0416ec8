/**
 * What the shell does when the OS ends the session (Windows shutdown, restart or logout through the
 * window's `query-session-end` / `session-end`; Linux and macOS shutdown through powerMonitor's
 * `shutdown`): stop the miner (jobs in flight are answered, not left to time out on the grid) and close
 * the store, once, whichever event comes first, then quit.
 */
export function sessionEndHandler(parts: {
  /** Stops the miner, the engine and the store (the host's close). */
  close(): Promise<void>
  quit(): void
  log(line: string): void
}): (why: string) => Promise<void> {
  let ending: Promise<void> | null = null
  return (why) => {
    ending ??= (async () => {
      parts.log(`the session is ending (${why}): stopping the miner and closing the store`)
      try {
        await parts.close()
      } catch (error) {
        parts.log(`closing at session end failed: ${error instanceof Error ? error.message : String(error)}`)
      } finally {
        parts.quit()
      }
    })()
    return ending
  }
}
