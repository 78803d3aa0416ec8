import { useEffect, useState } from 'react'
import type { MetricsSettings as Settings, MetricsStatus } from '../../../../shared/metricsSettings'
import type { AppErrorShape } from '../../../../shared/result'
import { api } from '../../api/bridge'

/** Settings › Metrics: Prometheus `/metrics` for this rig, on 127.0.0.1 unless opened to the network. */
export function MetricsSettings() {
  const [status, setStatus] = useState<MetricsStatus | null>(null)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const [port, setPort] = useState('')
  const [host, setHost] = useState('')
  useEffect(() => {
    void api?.call('metrics.status', {}).then((result) => {
      if (!result.ok) return
      setStatus(result.value)
      setPort(String(result.value.settings.port))
      setHost(result.value.settings.host)
    })
  }, [])
  if (!status) return null
  const save = async (change: Partial<Settings>) => {
    if (!api) return
    const result = await api.call('metrics.configure', { ...status.settings, port: Number(port), host: host.trim(), ...change })
    setError(result.ok ? null : result.error)
    if (!result.ok) return
    setStatus(result.value)
    setPort(String(result.value.settings.port))
    setHost(result.value.settings.host)
  }
  const { settings } = status

  return (
    <div className="settings-card" aria-label="Metrics">
      <h2>Metrics</h2>
      <p className="muted">
        Serve this rig’s Prometheus metrics (jobs, tokens/s, rewards, strikes, GPU readings; never keys or prompts) for Prometheus and
        Grafana.
      </p>
      {status.overridden && (
        <p className="muted">This run serves the metrics that --metrics-port chose; these settings apply at the next start.</p>
      )}
      <label className="toggle">
        <input type="checkbox" checked={settings.enabled} onChange={(e) => void save({ enabled: e.target.checked })} />
        Serve Prometheus metrics
      </label>
      {status.problem && (
        <p className="error-text" data-testid="metrics-problem">
          {status.problem}
        </p>
      )}
      <label>
        Metrics port
        <input
          type="number"
          min={1}
          max={65535}
          value={port}
          onChange={(e) => setPort(e.target.value)}
          onBlur={() => Number(port) !== settings.port && void save({})}
        />
      </label>
      <label>
        Bind address (127.0.0.1 keeps it on this PC; 0.0.0.0 lets Prometheus on another machine scrape it)
        <input value={host} onChange={(e) => setHost(e.target.value)} onBlur={() => host.trim() !== settings.host && void save({})} />
      </label>
      {error && (
        <p className="error-text" role="alert">
          {error.message}
        </p>
      )}
      {status.warning && <p className="error-text">Warning: {status.warning}</p>}
      {status.url && (
        <p>
          Scrape <code data-testid="metrics-url">{status.url}</code>
        </p>
      )}
    </div>
  )
}
