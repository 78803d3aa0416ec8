import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/result.js'

/** The file name better-sqlite3 builds, and the one `scripts/prepare-native.js` places. */
export const SQLITE_ADDON = 'better_sqlite3.node'

/**
 * The Electron-ABI better-sqlite3 addon for this run, or undefined to use node_modules' own (Node ABI).
 * Packaged apps ship it in `resources/native/` (electron-builder `extraResources`); a development run
 * of Electron uses `build/native/<platform>-<arch>/` from `npm run prepare-native`. Keeping it apart is
 * what lets `npm test` and `gridforge serve` (Node) and the desktop app (Electron) share one checkout.
 *
 * A packaged app without it throws: installers carry no Node-ABI addon, and loading one of another ABI
 * or architecture would fail at the first database open with a message about symbols, not about the install.
 */
export function electronSqliteBinding(input: {
  isPackaged: boolean
  resourcesPath: string
  repoRoot: string
  platform: NodeJS.Platform
  arch: string
  exists?: (path: string) => boolean
}): string | undefined {
  const exists = input.exists ?? existsSync
  const candidate = input.isPackaged
    ? join(input.resourcesPath, 'native', SQLITE_ADDON)
    : join(input.repoRoot, 'build', 'native', `${input.platform}-${input.arch}`, SQLITE_ADDON)
  if (exists(candidate)) return candidate
  if (input.isPackaged) {
    throw new AppError(
      'STORAGE_FAILED',
      `This GridForge install is incomplete: its database library (${candidate}) for ${input.platform}-${input.arch} is missing, so reinstall GridForge from the release for this system.`,
    )
  }
  return undefined
}
