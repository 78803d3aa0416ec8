import type { QuickStartChoice, QuickStartSnapshot } from '../../../../shared/quickStart'
import { downloadsStore } from '../../api/modelsState'
import { cancelQuickStart, startQuickStart } from '../../api/onboardingState'
import { useStore } from '../../api/store'
import { describeDownload } from '../models/downloadText'
import { STEP_LABELS } from './onboardingText'

const CHOICE_LABELS: Record<QuickStartChoice, string> = { retry: 'Retry', 'choose-model': 'Choose another model', cancel: 'Cancel' }

const STATE_WORDS = { pending: 'waiting', active: 'in progress', done: 'done', skipped: 'done', failed: 'failed' } as const

/** Start earning's steps with their progress; after a failure, the sentence and the ways out. */
export function QuickStartProgress({ quickStart, onChooseModel }: { quickStart: QuickStartSnapshot; onChooseModel: () => void }) {
  const { failure, model } = quickStart
  const downloads = useStore(downloadsStore)
  // Until bytes arrive, the download step says what the download itself says: "Connecting…", or why it cannot
  // connect and when it retries (never a bare "0 MB").
  const download =
    model?.kind === 'catalog'
      ? downloads.find((d) => d.catalogId === model.catalogId && d.state !== 'done' && d.state !== 'cancelled')
      : undefined
  const detailOf = (step: QuickStartSnapshot['steps'][number]) =>
    step.name === 'download' && step.state === 'active' && download && (download.error || download.receivedBytes === 0)
      ? describeDownload(download)
      : step.detail
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
            {detailOf(step) && <span className="muted"> {detailOf(step)}</span>}
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
