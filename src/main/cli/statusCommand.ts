import { checksumAddress, type Address } from '../../grid/identity/address.js'
import { apiUrl, gridRoot, gridUrlFor } from '../../grid/gridUrls.js'
import type { EarnState, GridNetwork, JobRecord } from '../../shared/domain.js'
import { minerStatusOf } from '../../shared/minerStatus.js'
import { EarnSettingsStore } from '../earn/earnSettings.js'
import { dataPaths } from '../host/dataDir.js'
import { WorkerIdentityService } from '../identity/workerIdentityService.js'
import { WORKER_KEY_SECRET } from '../identity/workerKey.js'
import { openDatabase } from '../store/database.js'
import { JobsRepository } from '../store/jobsRepository.js'
import { headlessSecrets } from './headlessSecrets.js'
import { SettingsRepository } from '../store/settingsRepository.js'
import { describeFleet, fleetApiKey, fleetStatus, type FleetStatus } from './fleetStatus.js'
import { parseMetricsText, type Sample } from './metricsText.js'
import { runningInstances, type RunningInstance } from './runningInstance.js'

/** Options of `gridforge status`. */
export interface StatusOptions {
  dataDir: string
  json?: boolean
  /** Also list every rig of the account as the grid reports it. */
  fleet?: boolean
  /** `--fleet` with a headless rig's key (else the key the app saved). */
  'api-key-file'?: string
  /** `--fleet`: this rig's worker name, when it is not the app's. */
  name?: string
  version: string
  fetch?: typeof fetch
}

/** What `gridforge status --json` prints; fields are only ever added (`schema` says which set). */
export interface RigStatus {
  schema: 1
  version: string
  dataDir: string
  /** The serve or worker running on this data folder, if any answers. */
  running: { kind: RunningInstance['kind']; pid: number; url: string | null; answering: boolean } | null
  engine: { running: boolean; model: string | null; restarts: number | null }
  /** `unknown` when a running instance has no metrics to read it from. */
  miner: { state: EarnState | 'unknown'; status: string; pauseReason: string | null }
  grid: { network: GridNetwork; url: string; reachable: boolean; problem: string | null }
  identity: { state: string; address: string | null; workerName: string | null; expiresAt: number | null; problem: string | null }
  lastJob: Pick<JobRecord, 'network' | 'model' | 'state' | 'completionTokens' | 'reward' | 'finishedAt'> | null
  metricsUrl: string | null
  /** Only with `--fleet`: every rig of the account, this one marked. */
  fleet?: FleetStatus
}

const TIMEOUT_MS = 4000

/** `gridforge status [--json] [--fleet]`: one screen for a person, stable JSON for scripts. Changes nothing. */
export async function statusCommand(options: StatusOptions): Promise<void> {
  const status = await rigStatus(options)
  process.stdout.write(options.json ? `${JSON.stringify(status)}\n` : describe(status, Date.now()))
}

export async function rigStatus(options: StatusOptions): Promise<RigStatus> {
  const fetcher = options.fetch ?? fetch
  const paths = dataPaths(options.dataDir)
  const instance = runningInstances(options.dataDir).sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'serve' ? -1 : 1))[0] ?? null
  const db = openDatabase(paths.database)
  let settings, lastJob, network, gridUrl, fleetKey
  try {
    const store = new SettingsRepository(db)
    settings = new EarnSettingsStore(store).current()
    lastJob = new JobsRepository(db).list(1)[0] ?? null
    network = instance?.grid?.network ?? settings.network
    gridUrl = instance?.grid?.url ?? gridUrlFor(settings, network)
    fleetKey = options.fleet
      ? fleetApiKey({
          apiKeyFile: options['api-key-file'],
          network,
          gridUrl,
          settings,
          secrets: headlessSecrets(options.dataDir, 'gridforge status'),
          store,
        })
      : null
  } finally {
    db.close()
  }
  // A headless worker's slots are its own flags (calibrated unless `--slots N`), which status does not see.
  const self = options.name ? { workerName: options.name, slots: null } : settings
  const [answering, samples, grid, fleet] = await Promise.all([
    instance?.url ? answers(fetcher, instance.url) : Promise.resolve(instance !== null),
    instance?.metricsUrl ? scrape(fetcher, instance.metricsUrl) : Promise.resolve(null),
    reachability(fetcher, network, gridUrl),
    options.fleet ? fleetStatus({ network, gridUrl, apiKey: fleetKey, self, version: options.version, fetch: fetcher }) : undefined,
  ])
  const running = instance !== null && answering
  return {
    schema: 1,
    version: options.version,
    dataDir: options.dataDir,
    running: instance && { kind: instance.kind, pid: instance.pid, url: instance.url, answering },
    engine: {
      running,
      model: samples
        ? (samples.find((sample) => sample.name === 'gridforge_model_loaded' && sample.value === 1)?.labels.model ?? null)
        : null,
      restarts: samples?.find((sample) => sample.name === 'gridforge_engine_restarts_total')?.value ?? null,
    },
    miner: minerOf(running, samples),
    grid: { network, url: gridUrl, ...grid },
    identity: identityOf(options.dataDir),
    lastJob: lastJob && {
      network: lastJob.network,
      model: lastJob.model,
      state: lastJob.state,
      completionTokens: lastJob.completionTokens,
      reward: lastJob.reward,
      finishedAt: lastJob.finishedAt,
    },
    metricsUrl: running ? (instance?.metricsUrl ?? null) : null,
    ...(fleet ? { fleet } : {}),
  }
}

function minerOf(running: boolean, samples: Sample[] | null): RigStatus['miner'] {
  if (!running) return { state: 'off', status: minerStatusOf('off'), pauseReason: null }
  const label = samples?.find((sample) => sample.name === 'gridforge_miner_state' && sample.value === 1)?.labels.state
  if (!label) return { state: 'unknown', status: 'unknown', pauseReason: null }
  const [state, reason] = label.startsWith('paused-') ? ['paused' as const, label.slice('paused-'.length)] : [label as EarnState, null]
  return { state, status: minerStatusOf(state), pauseReason: reason }
}

function identityOf(dataDir: string): RigStatus['identity'] {
  // The reason is in the status' problem; a line on stderr would say it twice.
  const secrets = headlessSecrets(dataDir, 'gridforge status', () => undefined)
  try {
    // Status changes nothing: no key is created here (identity show does that).
    if (secrets.get(WORKER_KEY_SECRET) === null) return { state: 'none', address: null, workerName: null, expiresAt: null, problem: null }
    const status = new WorkerIdentityService({ secrets }).status()
    return {
      state: status.state,
      address: checksumAddress(status.address as Address),
      workerName: status.delegation?.workerName ?? null,
      expiresAt: status.delegation?.expiresAt ?? null,
      problem: status.problem,
    }
  } catch (error) {
    return { state: 'unreadable', address: null, workerName: null, expiresAt: null, problem: (error as Error).message }
  }
}

async function answers(fetcher: typeof fetch, url: string): Promise<boolean> {
  try {
    const response = await fetcher(url, { signal: AbortSignal.timeout(TIMEOUT_MS) })
    await response.body?.cancel()
    return true
  } catch {
    return false
  }
}

async function scrape(fetcher: typeof fetch, url: string): Promise<Sample[] | null> {
  try {
    const response = await fetcher(url, { signal: AbortSignal.timeout(TIMEOUT_MS) })
    return response.ok ? parseMetricsText(await response.text()) : null
  } catch {
    return null
  }
}

/** Whether the grid answers its health route (AIPG `/health`, Horde heartbeat); no key is sent. */
async function reachability(
  fetcher: typeof fetch,
  network: GridNetwork,
  gridUrl: string,
): Promise<{ reachable: boolean; problem: string | null }> {
  let url: string
  try {
    url =
      network === 'aipg' ? `${gridRoot(network, gridUrl).href.replace(/\/$/, '')}/health` : apiUrl(network, gridUrl, '/status/heartbeat')
  } catch (error) {
    return { reachable: false, problem: (error as Error).message }
  }
  try {
    const response = await fetcher(url, { signal: AbortSignal.timeout(TIMEOUT_MS) })
    await response.body?.cancel()
    return response.ok ? { reachable: true, problem: null } : { reachable: false, problem: `The grid answered HTTP ${response.status}.` }
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError'
    return {
      reachable: false,
      problem: timedOut ? `The grid did not answer within ${TIMEOUT_MS / 1000} s.` : 'The grid could not be reached.',
    }
  }
}

function describe(status: RigStatus, now: number): string {
  const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16)
  const running = status.running
  const lines = [
    `GridForge ${status.version}`,
    `Running:   ${running ? `${running.kind} (pid ${running.pid})${running.url ? ` ${running.url}` : ''}${running.answering ? '' : ', not answering'}` : 'nothing on this data folder'}`,
    `Engine:    ${status.engine.running ? `running${status.engine.model ? `, model ${status.engine.model}` : ''}` : 'not running'}${status.engine.restarts ? `, ${status.engine.restarts} restarts` : ''}`,
    `Miner:     ${status.miner.state}${status.miner.pauseReason ? ` (paused by ${status.miner.pauseReason})` : ''}`,
    `Grid:      ${status.grid.network} ${status.grid.url} ${status.grid.reachable ? 'reachable' : `not reachable: ${status.grid.problem}`}`,
    `Identity:  ${identityLine(status.identity)}`,
    `Last job:  ${status.lastJob ? `${time(status.lastJob.finishedAt)} UTC ${status.lastJob.network} ${status.lastJob.model} ${status.lastJob.state}, ${status.lastJob.completionTokens} tokens, reward ${status.lastJob.reward === null ? '-' : status.lastJob.reward.toFixed(2)}` : 'none yet'}`,
    `Metrics:   ${status.metricsUrl ?? 'off (serve or worker with --metrics-port N)'}`,
    ...(status.fleet ? describeFleet(status.fleet, now) : []),
  ]
  return `${lines.join('\n')}\n`
}

function identityLine(identity: RigStatus['identity']): string {
  if (!identity.address) return identity.problem ?? 'no worker key yet (gridforge identity show creates one)'
  const until = identity.expiresAt ? ` until ${new Date(identity.expiresAt * 1000).toISOString().slice(0, 10)}` : ''
  return `${identity.address}, delegation ${identity.state}${identity.workerName ? ` for "${identity.workerName}"` : ''}${until}${identity.problem ? `; ${identity.problem}` : ''}`
}
