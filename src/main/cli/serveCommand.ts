import { randomBytes } from 'node:crypto'
import { headlessSecrets } from './headlessSecrets.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createHost } from '../host/createHost.js'
import { dataPaths } from '../host/dataDir.js'
import { RECOVERY_MODES, recoverDatabase, type RecoveryMode } from '../store/databaseRecovery.js'
import { FileSecretStore } from '../store/secretStore.js'
import { forkLauncher } from '../engine/forkLauncher.js'
import { allowedHostName } from '../server/allowedOrigins.js'
import { startHeadlessServer } from '../server/headlessServer.js'
import { metricsPort, serveMetrics, type MetricsFlags } from './metricsFlags.js'
import { positiveInt } from './options.js'
import { announceInstance } from './runningInstance.js'
import { UsageError } from './usage.js'
import { onStopSignals } from './stopSignals.js'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1'])
/** More names for the UI, comma-separated, besides `--allowed-host` (a service manager's environment file). */
export const ALLOWED_HOSTS_ENV = 'GRIDFORGE_ALLOWED_HOSTS'

/** Options of `gridforge serve`. */
export interface ServeOptions extends MetricsFlags {
  dataDir: string
  host: string
  port?: string
  token?: string
  /** Replaces the access token kept in the data folder (links and bookmarks with the old one stop working). */
  'new-token'?: boolean
  /** Names besides this server's own that the UI answers to (a LAN name, a reverse proxy's). */
  'allowed-host'?: string[]
  threads?: string
  api?: boolean
  'api-host'?: string
  'api-port'?: string
  /** A way out of a database that cannot be opened: its latest backup, or a new one. */
  recover?: string
  version: string
  engineEntry: string
  rendererDir: string
  resourcesDir: string
}

/** Runs the headless host until SIGINT or SIGTERM (or the npm/npx that started it goes away). */
export async function serveCommand(options: ServeOptions): Promise<void> {
  const port = options.port === '0' ? 0 : positiveInt(options.port, 'port', 5199)
  if (options.token !== undefined && options.token.length < 16) {
    throw new UsageError('--token must be at least 16 characters long.')
  }
  if (options.token !== undefined && options['new-token']) throw new UsageError('--token and --new-token cannot be used together.')
  metricsPort(options['metrics-port'])
  const allowedHosts = allowedHostsOf(options['allowed-host'] ?? [], process.env[ALLOWED_HOSTS_ENV])
  if (!LOOPBACK.has(options.host)) {
    process.stderr.write(
      `Warning: listening on ${options.host} makes GridForge reachable from other machines; anyone with the token can use it.\n`,
    )
  }
  if (options.recover !== undefined) {
    if (!RECOVERY_MODES.includes(options.recover as RecoveryMode)) throw new UsageError('--recover takes backup or fresh.')
    process.stderr.write(`${recoverDatabase(dataPaths(options.dataDir).database, options.recover as RecoveryMode)}\n`)
  }
  const host = createHost({
    dataDir: options.dataDir,
    shell: 'headless',
    version: options.version,
    launchEngine: forkLauncher(options.engineEntry),
    launchEngineWith: (env) => forkLauncher(options.engineEntry, env),
    threads: positiveInt(options.threads, 'threads', null),
    extraCa: readFileSync(join(options.resourcesDir, 'cloudflare_origin_rsa_root.pem'), 'utf8'),
    hfEndpoint: process.env.HF_ENDPOINT,
    log: (line) => process.stderr.write(`${line}\n`),
    secrets: headlessSecrets(options.dataDir, 'gridforge serve'),
    metricsOverridden: options['metrics-port'] !== undefined,
  })
  const server = await startHeadlessServer(host, {
    host: options.host,
    port,
    token: options.token ?? keptToken(options.dataDir, options['new-token'] ?? false),
    rendererDir: options.rendererDir,
    allowedHosts,
  }).catch(async (error: unknown) => {
    await host.close()
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') throw new UsageError(`Port ${port} is already in use; pick another with --port.`)
    throw error
  })
  process.stdout.write(`GridForge is running. Open ${server.openUrl}\n`)
  if (allowedHosts.length > 0) process.stdout.write(`It also answers to ${allowedHosts.join(', ')} (any port, http or https).\n`)
  const metrics = await serveMetrics(host.metrics.registry, options, (line) => process.stdout.write(`${line}\n`))
  // Without --metrics-port, the Settings toggle decides.
  const settingsMetricsUrl = metrics ? null : (await host.metricsEndpoint.settled()).url
  if (settingsMetricsUrl) process.stdout.write(`Prometheus metrics on ${settingsMetricsUrl} (Settings › Metrics)\n`)
  const withdraw = announceInstance(options.dataDir, {
    kind: 'serve',
    url: server.url,
    metricsUrl: metrics?.url ?? settingsMetricsUrl,
    version: options.version,
    grid: null,
  })
  if (options.api) {
    const api = await host.localApi.configure({
      enabled: true,
      host: options['api-host'] ?? '127.0.0.1',
      port: positiveInt(options['api-port'], 'api-port', 5001),
      corsOrigins: host.localApi.snapshot().settings.corsOrigins,
    })
    if (api.warning) process.stderr.write(`Warning: ${api.warning}\n`)
    process.stdout.write(
      `Local API (OpenAI and KoboldAI compatible) on ${api.url}; its bearer token is in ${join(host.paths.secrets, 'local-api-token.secret')}\n`,
    )
  }

  await new Promise<void>((resolve) => {
    let stopping = false
    const stop = () => {
      if (stopping) process.exit(130)
      stopping = true
      process.stderr.write('Stopping GridForge…\n')
      withdraw()
      void Promise.all([server.close(), metrics?.close()])
        .then(() => host.close())
        .then(resolve)
    }
    onStopSignals(stop)
  })
}

const SERVE_TOKEN = 'serve-token'

/**
 * The access token kept in the data folder (a 0600 file beside the other secrets), so a bookmarked link and
 * an open tab still get in after a restart; a new one only on the first start or with `--new-token`.
 */
function keptToken(dataDir: string, renew: boolean): string {
  const secrets = new FileSecretStore(dataPaths(dataDir).secrets)
  const kept = renew ? null : secrets.get(SERVE_TOKEN)
  if (kept && kept.length >= 16) return kept
  const token = randomBytes(24).toString('base64url')
  secrets.set(SERVE_TOKEN, token)
  return token
}

/** The names from `--allowed-host` and the environment, each checked: one that is not a host name is refused. */
function allowedHostsOf(flags: readonly string[], fromEnv: string | undefined): string[] {
  const given = [...flags, ...(fromEnv ?? '').split(',').filter((value) => value.trim() !== '')]
  return given.map((value) => {
    const name = allowedHostName(value)
    if (!name) {
      throw new UsageError(
        `--allowed-host takes a host name such as rig1.local or gridforge.example.com, without a scheme or port; got "${value}".`,
      )
    }
    return name
  })
}
