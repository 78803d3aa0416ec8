import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * The default data folder, the same one Electron's `userData` resolves to for "GridForge", so the
 * desktop app and `gridforge serve` share models and history. `GRIDFORGE_DATA_DIR` overrides it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.GRIDFORGE_DATA_DIR) return env.GRIDFORGE_DATA_DIR
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'GridForge')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'GridForge')
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'GridForge')
}

/** Where each kind of data lives inside the data folder. */
export function dataPaths(dataDir: string) {
  return {
    database: join(dataDir, 'gridforge.db'),
    models: join(dataDir, 'models'),
    logs: join(dataDir, 'logs'),
    secrets: join(dataDir, 'secrets'),
    slotCalibration: join(dataDir, 'engine', 'slot-calibration.json'),
  }
}

/**
 * Makes the data folder readable by its owner only (0700, and 0600 for the database files, logs and
 * secrets already in it), on Linux and macOS: chats, job logs and keys are the user's, and the defaults
 * (0755 / 0644) let every local account read them. Windows folders under the profile are private already.
 */
export function makeDataDirPrivate(dataDir: string, platform: NodeJS.Platform = process.platform): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  if (platform === 'win32') return
  restrict(dataDir, 0o700)
  const paths = dataPaths(dataDir)
  const files = readdirSync(dataDir)
    .filter((name) => name.startsWith('gridforge.db'))
    .map((name) => join(dataDir, name))
  for (const folder of [paths.logs, paths.secrets]) {
    if (!existsSync(folder)) continue
    restrict(folder, 0o700)
    files.push(...readdirSync(folder).map((name) => join(folder, name)))
  }
  for (const file of files) if (statSync(file).isFile()) restrict(file, 0o600)
}

/** Best effort: a file system without Unix modes (a FAT drive) or a file of another user keeps its mode. */
function restrict(path: string, mode: number): void {
  try {
    chmodSync(path, mode)
  } catch {
    // Nothing more to do here; the secret store still refuses secrets others can read.
  }
}
