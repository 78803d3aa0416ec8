import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { bridgeAgent } from '../../grid/gridAuth.js'
import { DEFAULT_GRID_URLS } from '../../grid/gridUrls.js'
import { gridUrlProblem } from '../../shared/gridUrl.js'
import type { Worker, WorkerConfig } from '../../worker/jobLoop.js'
import type { Network } from '../../worker/ports.js'
import { positiveInt, readKeyFile } from './options.js'
import { onStopSignals } from './stopSignals.js'
import { UsageError } from './usage.js'
import type { WorkerOptions } from './workerCommand.js'
import { createWorkerReport } from './workerReport.js'

/** What both worker modes (a local model, a bridged server) read from their flags about the grid. */
export interface GridFlags {
  network: Network
  gridUrl: string
  apiKey: string
  name: string
  slots: number
  maxJobs: number | null
}

/** What the worker advertises: its model names and the limits it takes jobs up to. */
export interface Advertised {
  models: string[]
  maxLength: number
  maxContextLength: number
}

export function readGridFlags(options: WorkerOptions): GridFlags {
  const network = parseNetwork(options.network)
  const gridUrl = readGridUrl(options['grid-url'], network)
  const apiKey = readApiKey(options['api-key-file'])
  const name = options.name?.trim()
  if (!name) throw new UsageError('--name NAME is required (the worker name shown on the grid).')
  return {
    network,
    gridUrl,
    apiKey,
    name,
    slots: positiveInt(options.slots, 'slots', 1),
    maxJobs: positiveInt(options['max-jobs'], 'max-jobs', null),
  }
}

export function gridWorkerConfig(flags: GridFlags, advertised: Advertised, options: WorkerOptions): WorkerConfig {
  return {
    ...flags,
    ...advertised,
    agent: bridgeAgent(options.version),
    extraCa: readFileSync(join(options.resourcesDir, 'cloudflare_origin_rsa_root.pem'), 'utf8'),
  }
}

/** "(2 slots, max 512 tokens, context 4096)" for the line that says the worker is up. */
export function capacityText(slots: number, advertised: Advertised): string {
  return `${slots} slot${slots > 1 ? 's' : ''}, max ${advertised.maxLength} tokens, context ${advertised.maxContextLength}`
}

/** What a worker CLI prints: job lines and the summary on stdout, states and warnings on stderr. */
export type CliReport = ReturnType<typeof createWorkerReport>

export function cliReport(): CliReport {
  return createWorkerReport({ out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) })
}

/**
 * Runs the worker until it exits, one line per settled job and a summary at the end. Ctrl-C finishes the jobs in
 * flight; a second Ctrl-C cancels them (and faults them on the grid). `afterRun` settles what the caller started
 * alongside the worker before the summary is printed.
 */
export async function runToSummary(worker: Worker, report: CliReport, afterRun?: () => Promise<void>): Promise<void> {
  worker.subscribe((event) => report.onEvent(event))
  let interrupts = 0
  onStopSignals((cause) => {
    if (cause === 'SIGTERM') return worker.stop()
    interrupts++
    process.stderr.write(
      interrupts === 1 ? 'Finishing jobs in flight… press Ctrl-C again to cancel them.\n' : 'Cancelling jobs in flight.\n',
    )
    worker.stop()
  })
  const exit = await worker.run()
  await afterRun?.()
  process.stdout.write(`${report.summaryLine()}\n`)
  if (exit.reason === 'fatal') throw new UsageError(exit.message ?? 'The worker stopped because of an error.')
}

function parseNetwork(value: string | undefined): Network {
  if (value === undefined || value === 'aipg') return 'aipg'
  if (value === 'horde') return 'horde'
  throw new UsageError(`--network must be aipg or horde, not "${value}".`)
}

/** The grid to work for; the key travels to it, so the grid URL rules apply before anything is sent. */
function readGridUrl(value: string | undefined, network: Network): string {
  if (value === undefined) return DEFAULT_GRID_URLS[network]
  const problem = gridUrlProblem(value)
  if (problem) throw new UsageError(`--grid-url: ${problem}.`)
  return value
}

function readApiKey(file: string | undefined): string {
  if (!file) throw new UsageError('--api-key-file F is required (a file holding only your API key).')
  return readKeyFile(file, 'API key')
}
