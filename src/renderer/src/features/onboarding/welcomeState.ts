import { createStore } from '../../api/store'

/** Where "Chat privately" is: nothing chosen yet, downloading a catalog model, or loading a model to chat with. */
export type WelcomeFlow =
  { phase: 'choosing' } | { phase: 'downloading'; catalogId: string; name: string } | { phase: 'loading'; path: string; name: string }

const DISMISSED_KEY = 'gridforge.welcome.done'

function readDismissed(): boolean {
  try {
    return localStorage.getItem(DISMISSED_KEY) === '1'
  } catch {
    return false
  }
}

/** "Chat privately" in progress; kept outside the component so switching views does not lose it. */
export const welcomeFlowStore = createStore<WelcomeFlow>({ phase: 'choosing' })
/** Whether the welcome was finished or skipped on this browser (or desktop app). */
export const welcomeDismissedStore = createStore<boolean>(readDismissed())

/** Closes the welcome for good: a model is loaded to chat with, or the user skipped it. */
export function dismissWelcome(): void {
  try {
    localStorage.setItem(DISMISSED_KEY, '1')
  } catch {
    // Private browsing without storage: the welcome stays closed for this page only.
  }
  welcomeFlowStore.set({ phase: 'choosing' })
  welcomeDismissedStore.set(true)
}

/**
 * Whether this page opened on a first run (nothing to chat with and nothing chatted yet); decided once, when
 * the host first answered, so adding a model from the welcome does not close it under the user's hands.
 */
export const welcomeOpenStore = createStore<boolean | null>(null)
