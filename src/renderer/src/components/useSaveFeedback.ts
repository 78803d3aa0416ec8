import { useCallback, useState } from 'react'
import { errorStore } from '../api/appState'

/** What a save said, shown beside its button. */
export interface SaveFeedbackState {
  saving: boolean
  saved: string | null
  error: string | null
  /** Runs a save: it resolves to the confirmation in words, or false when it failed (its error is in errorStore). */
  run(save: () => Promise<string | false>): Promise<void>
}

/**
 * The confirmation or the error of one form's save, kept beside that form's button. A failure's error is
 * taken from the shared error banner, so it is said once, where the user pressed.
 */
export function useSaveFeedback(): SaveFeedbackState {
  const [saving, setSaving] = useState(false)
  const [saved, setSaved] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const run = useCallback(async (save: () => Promise<string | false>) => {
    setSaving(true)
    setSaved(null)
    setError(null)
    try {
      const outcome = await save()
      if (outcome === false) {
        setError(errorStore.get()?.message ?? 'The change could not be saved.')
        errorStore.set(null)
      } else setSaved(outcome)
    } finally {
      setSaving(false)
    }
  }, [])
  return { saving, saved, error, run }
}
