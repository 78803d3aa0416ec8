import type { ReadinessSnapshot } from '../../../../shared/readiness'
import type { AppErrorShape } from '../../../../shared/result'
import { api } from '../../api/bridge'
import { refreshOnConnect } from '../../api/reconnect'
import { createStore } from '../../api/store'

/** The readiness self-test as the host pushes it. */
export const readinessStore = createStore<ReadinessSnapshot | null>(null)
/** Why the last "Check grid readiness" was refused (no model, mining). */
export const readinessErrorStore = createStore<AppErrorShape | null>(null)

let started = false

/** Asks for the current state now (staleness depends on the miner settings too) and follows the host's events. */
export function followReadiness(): void {
  if (!api || started) return
  started = true
  api.on('earn.readiness', (snapshot) => readinessStore.set(snapshot))
  refreshOnConnect(refreshReadiness)
}

export async function refreshReadiness(): Promise<void> {
  if (!api) return
  const result = await api.call('earn.readinessStatus', {})
  if (result.ok) readinessStore.set(result.value)
}

export async function checkReadiness(): Promise<void> {
  if (!api) return
  readinessErrorStore.set(null)
  const result = await api.call('earn.readiness', {})
  if (result.ok) readinessStore.set(result.value)
  else readinessErrorStore.set(result.error)
}
