import { existsSync, mkdtempSync, copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const tinyModel = join(repoRoot, 'tests', 'fixtures', 'models', 'stories260K.gguf')
export const engineEntry = join(repoRoot, 'out', 'main', 'engineProcess.js')
export const cliEntry = join(repoRoot, 'bin', 'gridforge.js')

/** Integration tests run the built app (what ships); `npm test` builds first. */
export function requireBuild(): void {
  if (!existsSync(engineEntry)) throw new Error('Run "npm run build" before the integration tests.')
}

/** A fresh data folder with the tiny model in its models folder; removed by the returned function. */
export function tempDataDir(): { dir: string; model: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gridforge-test-'))
  mkdirSync(join(dir, 'models'))
  const model = join(dir, 'models', 'stories260K.gguf')
  copyFileSync(tinyModel, model)
  return { dir, model, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
