import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Paths of the built app, resolved from the directory of the entry file that calls this. */
export function runtimePaths(entryUrl: string) {
  const mainDir = dirname(fileURLToPath(entryUrl))
  return {
    engineEntry: join(mainDir, 'engineProcess.js'),
    bareLoopEntry: join(mainDir, 'bareLoop.js'),
    rendererDir: join(mainDir, '..', 'renderer'),
    resourcesDir: join(mainDir, '..', '..', 'resources'),
  }
}
