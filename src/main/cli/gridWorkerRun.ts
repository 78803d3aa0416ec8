import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { bridgeAgent } from '../../grid/gridAuth.js'
import { DEFAULT_GRID_URLS } from '../../grid/gridUrls.js'
import { gridUrlProblem } from '../../shared/gridUrl.js'
import type { Worker, WorkerConfig, WorkerEvent } from '../../worker/jobLoop.js'
import type { JobRecord, Network } from '../../worker/ports.js'
import { positiveInt, readKeyFile } from './options.js'
import { onStopSignals } from './stopSignals.js'
import { UsageError } from './usage.js'
import type { WorkerOptions } from './workerCommand.js'

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

interface Summary {
  jobs: number
  ok: number
  tokens: number
  rewards: number
}

export function readGridFlags(options: WorkerOptions): GridFlags {
  const network = parseNetwork(options.network)
  const gridUrl = readGridUrl(options['grid-url'], network)
  const apiKey = readApiKey(options['api-key-file'])
  const name = options.name?.trim()
  if (!name) throw new UsageError('--name NAME is required (the worker name shown on the grid).')
  return { network, gridUrl, apiKey, name, slots: positiveInt(options.slots, 'slots', 1), maxJobs: positiveInt(options['max-jobs'], 'max-jobs', null) }
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

/**
 * Runs the worker until it exits, one line per settled job and a summary at the end. Ctrl-C finishes the jobs in
 * flight; a second Ctrl-C cancels them (and faults them on the grid). `afterRun` settles what the caller started
 * alongside the worker before the summary is printed.
 */
export async function runToSummary(worker: Worker, summary: Summary, afterRun?: () => Promise<void>): Promise<void> {
  let interrupts = 0
  onStopSignals((cause) => {
    if (cause === 'SIGTERM') return worker.stop()
    interrupts++
    process.stderr.write(interrupts === 1 ? 'Finishing jobs in flight… press Ctrl-C again to cancel them.\n' : 'Cancelling jobs in flight.\n')
    worker.stop()
  })
  const exit = await worker.run()
  await afterRun?.()
  process.stdout.write(
    `Summary: ${summary.jobs} job${summary.jobs === 1 ? '' : 's'} (${summary.ok} ok), ${summary.tokens} tokens, rewards ${summary.rewards.toFixed(2)}\n`,
  )
  if (exit.reason === 'fatal') throw new UsageError(exit.message ?? 'The worker stopped because of an error.')
}

/** Prints the worker's jobs as they settle and counts them into the summary `runToSummary` prints. */
export function summarize(worker: Worker): Summary {
  const summary = { jobs: 0, ok: 0, tokens: 0, rewards: 0 }
  worker.subscribe((event) => onEvent(event, summary))
  return summary
}

function onEvent(event: WorkerEvent, summary: Summary): void {
  if (event.type === 'state' && (event.state === 'backoff' || event.state === 'stopping') && event.detail) {
    process.stderr.write(`${event.detail}\n`)
  }
  if (event.type === 'job-finished' && !(event.record.network === 'aipg' && event.record.reward === null && event.record.state !== 'dropped')) {
    count(event.record, summary)
  }
  if (event.type === 'job-rewarded') count(event.record, summary)
}

/** AIPG jobs are printed once their reward (ack) arrives; Horde jobs already carry it. */
function count(record: JobRecord, summary: Summary): void {
  summary.jobs++
  if (record.state === 'ok' || record.state === 'cancelled') summary.ok++
  summary.tokens += record.completionTokens
  summary.rewards += record.reward ?? 0
  const reward = record.reward === null ? '-' : record.reward.toFixed(2)
  process.stdout.write(
    `${record.jobId.slice(0, 8)}  ${record.model}  ${record.completionTokens} tokens  ${record.tokensPerSecond.toFixed(1)} tok/s  reward ${reward}  ${record.state}${record.error ? ` (${record.error})` : ''}\n`,
  )
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
