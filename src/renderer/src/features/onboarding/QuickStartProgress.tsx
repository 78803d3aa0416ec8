import type { QuickStartChoice, QuickStartSnapshot } from '../../../../shared/quickStart'
import { cancelQuickStart, startQuickStart } from '../../api/onboardingState'
import { STEP_LABELS } from './onboardingText'

const CHOICE_LABELS: Record<QuickStartChoice, string> = { retry: 'Retry', 'choose-model': 'Choose another model', cancel: 'Cancel' }

const STATE_WORDS = { pending: 'waiting', active: 'in progress', done: 'done', skipped: 'done', failed: 'failed' } as const

/** Start earning's steps with their progress; after a failure, the sentence and the ways out. */
export function QuickStartProgress({ quickStart, onChooseModel }: { quickStart: QuickStartSnapshot; onChooseModel: () => void }) {
  const { failure, model } = quickStart
  const act = (choice: QuickStartChoice) => {
    if (choice === 'retry' && model) void startQuickStart(model)
    else if (choice === 'cancel') void cancelQuickStart()
    else if (choice === 'choose-model') {
      void cancelQuickStart()
      onChooseModel()
    }
  }
  return (
    <section className="quick-start" aria-label="Start earning progress" data-phase={quickStart.phase}>
      <h2>Start earning{quickStart.modelName ? ` with ${quickStart.modelName}` : ''}</h2>
      <ol>
        {quickStart.steps.map((step) => (
          <li key={step.name} data-step={step.name} data-state={step.state}>
            <span className="quick-start-label">
              {STEP_LABELS[step.name]}: {STATE_WORDS[step.state]}
            </span>
            {step.detail && <span className="muted"> {step.detail}</span>}
            {step.state === 'active' && step.progress !== null && (
              <progress max={1} value={step.progress} aria-label={`${STEP_LABELS[step.name]} progress`} />
            )}
          </li>
        ))}
      </ol>
      {failure && (
        <>
          <p className="error-text" role="alert">
            {failure.message}
          </p>
          <div className="quick-start-actions">
            {failure.choices.map((choice) => (
              <button key={choice} type="button" onClick={() => act(choice)}>
                {CHOICE_LABELS[choice]}
              </button>
            ))}
          </div>
        </>
      )}
      {quickStart.phase !== 'failed' && (
        <div className="quick-start-actions">
          <button type="button" onClick={() => act('cancel')}>
            {quickStart.phase === 'done' ? 'Close' : 'Cancel'}
          </button>
        </div>
      )}
    </section>
  )
}
