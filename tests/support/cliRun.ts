import { spawn } from 'node:child_process'
import { cliEntry, requireBuild } from './paths.js'

/** What one `gridforge` run printed and how it exited. */
export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the built `gridforge` on `dataDir`, CPU only, to its exit. */
export function runGridforge(dataDir: string, args: string[]): Promise<CliResult> {
  requireBuild()
  const child = spawn(process.execPath, [cliEntry, ...args, '--data-dir', dataDir], { env: { ...process.env, GRIDFORGE_GPU: 'off' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })))
}
