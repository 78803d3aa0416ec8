import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../../src/main/store/database.js'
import { JobsRepository } from '../../src/main/store/jobsRepository.js'
import type { JobRecord } from '../../src/worker/ports.js'
import { cliEntry, requireBuild } from './paths.js'

/** What one `gridforge` run printed and how it exited. */
export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** A `gridforge` still running: what it printed so far, and its exit code once it ends. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams
  stdout(): string
  stderr(): string
  exited: Promise<number | null>
}

/** Starts the built `gridforge` on `dataDir`, CPU only; model downloads go to a closed loopback port, never the internet. */
export function startGridforge(dataDir: string, args: string[]): RunningCli {
  requireBuild()
  const child = spawn(process.execPath, [cliEntry, ...args, '--data-dir', dataDir], {
    env: { ...process.env, GRIDFORGE_GPU: 'off', HF_ENDPOINT: 'http://127.0.0.1:9' },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}

/** Runs the built `gridforge` on `dataDir`, CPU only, to its exit. */
export async function runGridforge(dataDir: string, args: string[]): Promise<CliResult> {
  const run = startGridforge(dataDir, args)
  const code = await run.exited
  return { code, stdout: run.stdout(), stderr: run.stderr() }
}

/** `gridforge worker` arguments serving what `source` names, on a dev grid's AIPG side with the key in `keyFile`, named `name`. */
const aipgWorker = (source: string[], gridUrl: string, keyFile: string, name: string, more: string[]) => [
  'worker',
  ...source,
  '--network',
  'aipg',
  '--grid-url',
  gridUrl,
  '--api-key-file',
  keyFile,
  '--name',
  name,
  ...more,
]

/** `gridforge worker` arguments for the tiny model on a dev grid's AIPG side, named `name`; `more` follow. */
export function aipgWorkerArgs(gridUrl: string, keyFile: string, name: string, more: string[] = []): string[] {
  return aipgWorker(['--model', 'stories260K'], gridUrl, keyFile, name, more)
}

/** `gridforge worker` arguments for the servers listed in `backendsFile`, on a dev grid's AIPG side, named `name`; `more` follow. */
export function backendsWorkerArgs(backendsFile: string, gridUrl: string, keyFile: string, name: string, more: string[] = []): string[] {
  return aipgWorker(['--backends-file', backendsFile], gridUrl, keyFile, name, more)
}

/** Writes `text` to `name` in `dir`, readable by its owner only, as key files are kept; returns its path. */
export function privateFile(dir: string, name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text, { mode: 0o600 })
  return path
}

/** The job ledger the runs on `dataDir` left, read as the app reads it. */
export function ledgerIn(dataDir: string): JobRecord[] {
  const db = openDatabase(join(dataDir, 'gridforge.db'))
  try {
    return new JobsRepository(db).list()
  } finally {
    db.close()
  }
}
