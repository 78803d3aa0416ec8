import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { UsageError } from './usage.js'

/**
 * `gridforge bench`: runs the harness in `bench/` from the source checkout (through tsx), so that
 * neither the harness nor the dev grid it drives is bundled into the app.
 */
export async function benchCommand(repoRoot: string, args: string[]): Promise<void> {
  const entry = join(repoRoot, 'bench', 'index.ts')
  if (!existsSync(entry)) throw new UsageError('The benchmark harness runs from a source checkout: npm run bench.')
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repoRoot, stdio: 'inherit' })
  const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)))
  process.exitCode = code
}
