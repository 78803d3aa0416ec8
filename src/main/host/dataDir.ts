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
  }
}
