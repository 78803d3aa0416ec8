import { z } from 'zod'

/** Settings › Metrics: Prometheus `/metrics` served by the desktop app or `gridforge serve`. */
export const metricsSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  /** 127.0.0.1 unless the user opens it to the network (with a warning). */
  host: z.union([z.ipv4(), z.ipv6(), z.literal('localhost')]),
  port: z.number().int().min(1).max(65535),
})
export type MetricsSettings = z.infer<typeof metricsSettingsSchema>

/** Off until the user turns it on; 9464 is the port Prometheus exporters conventionally take. */
export const DEFAULT_METRICS_SETTINGS: MetricsSettings = { enabled: false, host: '127.0.0.1', port: 9464 }

/** The metrics endpoint now: its settings, where it serves, and in one sentence why it does not. */
export interface MetricsStatus {
  settings: MetricsSettings
  /** `http://127.0.0.1:9464/metrics` while serving; null otherwise. */
  url: string | null
  /** Why the endpoint is off although it was asked for (a port in use); the toggle is then left off. */
  problem: string | null
  /** Serving beyond this machine: who can read it. */
  warning: string | null
  /** `gridforge serve --metrics-port` set this run's endpoint; the setting applies at the next start. */
  overridden: boolean
}
