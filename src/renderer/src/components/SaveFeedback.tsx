import type { SaveFeedbackState } from './useSaveFeedback'

/** The line beside a save button: saving, saved, or why not. */
export function SaveFeedback({ feedback }: { feedback: SaveFeedbackState }) {
  if (feedback.error) {
    return (
      <span className="save-feedback error-text" role="alert">
        {feedback.error}
      </span>
    )
  }
  return (
    <span className="save-feedback muted" role="status">
      {feedback.saving ? 'Saving…' : (feedback.saved ?? '')}
    </span>
  )
}
