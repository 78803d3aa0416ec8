import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Paths of the built app, resolved from the directory of the entry file that calls this. */
export function runtimePaths(entryUrl: string) {
  const mainDir = dirname(fileURLToPath(entryUrl))
  return {
    engineEntry: join(mainDir, 'engineProcess.js'),
    /** The source checkout, when running from one (the bench and dev tools live there, not in the app). */
    repoRoot: join(mainDir, '..', '..'),
    rendererDir: join(mainDir, '..', 'renderer'),
    resourcesDir: join(mainDir, '..', '..', 'resources'),
  }
}
