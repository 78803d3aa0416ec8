/** What the updater was doing when it failed: fetching (checking or downloading) or installing. */
export type UpdatePhase = 'fetch' | 'install'

const KEEPS_RUNNING = 'GridForge keeps running this version'

/**
 * The sentence for an electron-updater failure. Codes and messages are electron-updater 6.8's and
 * builder-util-runtime's: a checksum that does not match (`ERR_CHECKSUM_MISMATCH`), an installer not
 * signed by us (`ERR_UPDATER_INVALID_SIGNATURE`), and the package manager's exit status on Linux
 * (`Command pkexec exited with code 126` when the password prompt was dismissed, 127 when refused).
 */
export function updateFailureSentence(error: unknown, phase: UpdatePhase, version: string | null): string {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  const update = version ? `The update to ${version}` : 'The update'
  if (phase === 'install') {
    const exit = /exited with code (\d+)/.exec(message)?.[1]
    const why =
      exit === '126'
        ? 'the password prompt was cancelled'
        : exit === '127'
          ? 'the system did not accept the password'
          : `the installer failed (${firstLine(message)})`
    return `${update} was not installed because ${why}; ${KEEPS_RUNNING}, and Restart to update tries again.`
  }
  if (code === 'ERR_CHECKSUM_MISMATCH' || /checksum mismatch/i.test(message)) {
    return `${update} arrived damaged (its checksum did not match) and was not installed; ${KEEPS_RUNNING} and downloads it again at the next check.`
  }
  if (code === 'ERR_UPDATER_INVALID_SIGNATURE') {
    return `${update} is not signed by GridForge's publisher and was not installed; ${KEEPS_RUNNING}.`
  }
  return 'Could not check for updates (offline, or GitHub is unreachable); GridForge will try again later.'
}

/** The sentence when "Restart to update" led to neither a restart nor an error. */
export function installDidNotStartSentence(version: string | null): string {
  return `${version ? `The update to ${version}` : 'The update'} did not start installing; ${KEEPS_RUNNING}, and Restart to update tries again.`
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.slice(0, 200)
}
