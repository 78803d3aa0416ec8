import type { ModelChoice, QuickStartSnapshot } from '../../../shared/quickStart'
import type { AppErrorShape } from '../../../shared/result'
import { api } from './bridge'
import { setUnlessNewer } from './freshReply'
import { refreshOnConnect } from './reconnect'
import { createStore } from './store'

/** Start earning's steps, as the host pushes them. */
export const quickStartStore = createStore<QuickStartSnapshot | null>(null)
/** Whether the Earn view's first-run onboarding was finished or skipped; null until the host answered. */
export const onboardingDoneStore = createStore<boolean | null>(null)
/** The last error of an onboarding action (a refused key, a busy miner), shown in the onboarding. */
export const onboardingErrorStore = createStore<AppErrorShape | null>(null)

async function refresh(): Promise<void> {
  if (!api) return
  const host = api
  const [done] = await Promise.all([
    host.call('earn.onboarding', {}),
    setUnlessNewer(quickStartStore, () => host.call('earn.quickStartStatus', {})),
  ])
  if (done.ok) onboardingDoneStore.set(done.value.done)
}

/** Subscribes to Start earning's progress and loads the onboarding flag; again after every reconnect. */
export function startOnboardingState(): void {
  if (!api) return
  api.on('earn.quickStart', (snapshot) => quickStartStore.set(snapshot))
  refreshOnConnect(refresh)
}

/** Marks the onboarding finished (or skipped), or asks for it again ("Set up again"). */
export async function setOnboardingDone(done: boolean): Promise<void> {
  if (!api) return
  const result = await api.call('earn.setOnboarding', { done })
  if (result.ok) onboardingDoneStore.set(result.value.done)
}

/** Starts the one-press flow; false (with the reason in `onboardingErrorStore`) when the host refused. */
export async function startQuickStart(model: ModelChoice): Promise<boolean> {
  if (!api) return false
  onboardingErrorStore.set(null)
  const result = await api.call('earn.quickStart', { model })
  if (!result.ok) {
    onboardingErrorStore.set(result.error)
    return false
  }
  quickStartStore.set(result.value)
  return true
}

/** Stops Start earning (pausing a download, stopping a miner it started), or closes a failed one. */
export async function cancelQuickStart(): Promise<void> {
  if (!api) return
  const result = await api.call('earn.quickStartCancel', {})
  if (result.ok) quickStartStore.set(result.value)
}
