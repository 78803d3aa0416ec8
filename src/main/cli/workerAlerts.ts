import { bridgeAgent } from '../../grid/gridAuth.js'
import type { EngineSnapshot } from '../../shared/domain.js'
import type { Worker } from '../../worker/jobLoop.js'
import { AlertService, logNotifier } from '../alerts/alertService.js'
import { AlertWatch } from '../alerts/alertWatch.js'
import { AccountPoller } from '../earn/accountPoller.js'
import type { SettingsRepository } from '../store/settingsRepository.js'
import type { GridFlags } from './gridWorkerRun.js'

/** A shutdown never waits longer than this on webhooks still in flight (each is time-limited, retried a few times). */
const DELIVERY_WAIT_MS = 15_000

/** What `gridforge worker` alerts from: its own events, its engine's, and the account's rigs and payouts. */
export interface WorkerAlertsDependencies {
  settings: Pick<SettingsRepository, 'get' | 'set'>
  worker: Pick<Worker, 'subscribe'>
  flags: GridFlags
  version: string
  engine?: { subscribe(listener: (snapshot: EngineSnapshot) => void): unknown }
  log: (line: string) => void
  fetch?: typeof fetch
}

/**
 * The standalone worker's alerts, as the app sends them (Settings › Alerts in the same data folder): the webhook,
 * and a log line where the app would show a desktop notification. Evictions, strike bursts and engine restart
 * loops come from this process; rigs offline and payouts from the account's lists, asked every few minutes.
 */
export function startWorkerAlerts(deps: WorkerAlertsDependencies): { close(): Promise<void> } {
  const { flags } = deps
  const alerts = new AlertService({
    settings: deps.settings,
    notifier: logNotifier(deps.log),
    rigName: () => flags.name,
    log: deps.log,
  })
  const watch = new AlertWatch({ raise: (kind, title, body) => alerts.raise(kind, title, body), offlineMs: () => alerts.offlineMs() })
  deps.worker.subscribe((event) => {
    if (event.type === 'job-finished') watch.job(event.record)
    if (event.type === 'state') {
      watch.miner({ state: event.state === 'stopped' ? 'off' : event.state, detail: event.problem ?? event.detail })
    }
  })
  deps.engine?.subscribe((snapshot) => watch.engine(snapshot))
  const account = new AccountPoller({
    credentials: { apiKeyFor: () => flags.apiKey, gridUrl: () => flags.gridUrl, lastFour: () => flags.apiKey.slice(-4) },
    settings: () => ({ network: flags.network, gridUrl: flags.gridUrl }),
    agent: bridgeAgent(deps.version),
    fetch: deps.fetch,
  })
  account.onChange((totals) => watch.account(totals))
  account.start()
  // The first look is shared with the one start() asked for; a short run still tells what it found.
  const firstLook = account.refresh()
  return {
    async close() {
      account.close()
      let timer: NodeJS.Timeout | undefined
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, DELIVERY_WAIT_MS)))
      await Promise.race([firstLook.then(() => alerts.idle()), waited])
      clearTimeout(timer)
    },
  }
}
