import type { IdentityRequest, IdentityStatus } from '../../../../shared/identity'
import type { AppErrorShape } from '../../../../shared/result'
import { api } from '../../api/bridge'
import { refreshOnConnect } from '../../api/reconnect'
import { createStore } from '../../api/store'

/** The worker identity as the host pushes it (address and delegation; never the key). */
export const identityStore = createStore<IdentityStatus | null>(null)
/** The delegation waiting for the user's wallet: the exact message to sign. */
export const identityRequestStore = createStore<IdentityRequest | null>(null)
/** Why the last request or install was refused, in the host's one sentence. */
export const identityErrorStore = createStore<AppErrorShape | null>(null)

let started = false

export function followIdentity(): void {
  if (!api || started) return
  started = true
  api.on('identity.status', (status) => identityStore.set(status))
  refreshOnConnect(refreshIdentity)
}

export async function refreshIdentity(): Promise<void> {
  if (!api) return
  const result = await api.call('identity.status', {})
  if (result.ok) identityStore.set(result.value)
  else identityErrorStore.set(result.error)
}

export async function requestDelegation(input: { payoutWallet: string; workerName: string; validDays: number }): Promise<void> {
  if (!api) return
  identityErrorStore.set(null)
  const result = await api.call('identity.request', input)
  if (result.ok) identityRequestStore.set(result.value)
  else identityErrorStore.set(result.error)
}

export async function installSignature(signature: string): Promise<boolean> {
  if (!api) return false
  identityErrorStore.set(null)
  const result = await api.call('identity.install', { signature })
  if (!result.ok) {
    identityErrorStore.set(result.error)
    return false
  }
  identityStore.set(result.value)
  identityRequestStore.set(null)
  return true
}

/** Starts one-click enrollment; its progress (the approval link, then the outcome) arrives in the identity status. */
export async function startEnrollment(input: { workerName: string; validDays: number }): Promise<void> {
  if (!api) return
  identityErrorStore.set(null)
  const result = await api.call('identity.enroll', input)
  if (result.ok) identityStore.set(result.value)
  else identityErrorStore.set(result.error)
}

export async function cancelEnrollment(): Promise<void> {
  if (!api) return
  const result = await api.call('identity.cancelEnrollment', {})
  if (result.ok) identityStore.set(result.value)
  else identityErrorStore.set(result.error)
}
