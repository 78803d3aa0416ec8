import type { Registry } from 'prom-client'
import { startMetricsServer, type MetricsEndpoint } from '../metrics/metricsServer.js'
import { UsageError } from './usage.js'

/** The metrics flags of `serve` and `worker`. */
export interface MetricsFlags {
  'metrics-port'?: string
  'metrics-host'?: string
}

/**
 * Serves `/metrics` when `--metrics-port` is given. A port in use or a bad host is one sentence on stderr and
 * no metrics: the rig goes on serving the grid. A malformed port is a usage error, found before anything starts.
 */
export async function serveMetrics(registry: Registry, flags: MetricsFlags, say: (line: string) => void): Promise<MetricsEndpoint | null> {
  const port = metricsPort(flags['metrics-port'])
  if (port === null) return null
  const started = await startMetricsServer(registry, { host: flags['metrics-host'] ?? '127.0.0.1', port })
  if (!started.ok) {
    process.stderr.write(`${started.message}\n`)
    return null
  }
  if (started.warning) process.stderr.write(`Warning: ${started.warning}\n`)
  say(`Prometheus metrics on ${started.endpoint.url}`)
  return started.endpoint
}

/** Checks the flags without starting anything. */
export function metricsPort(value: string | undefined): number | null {
  if (value === undefined) return null
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--metrics-port must be a port number (0 to 65535).')
  return port
}
