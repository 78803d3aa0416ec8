import { useEffect, useState } from 'react'
import type { EarnSnapshot } from '../../../../shared/domain'
import type { ModelChoice } from '../../../../shared/quickStart'
import { errorStore, localModelsStore } from '../../api/appState'
import { catalogStore, hardwareStore, refreshModels } from '../../api/modelsState'
import { onboardingErrorStore, setOnboardingDone, startQuickStart } from '../../api/onboardingState'
import { useStore } from '../../api/store'
import { ApiKeyStep } from './ApiKeyStep'
import { PcStep, defaultModelChoice } from './PcStep'
import { PrivacyStep } from './PrivacyStep'

const STEPS = ['Your PC', 'What mining does', 'API key', 'Start earning'] as const

/**
 * The first run of the Earn view: this PC and the model to run, what mining does, the API key, then
 * Start earning. Closing it (started or skipped) marks it done; "Set up again" opens it once more.
 */
export function Onboarding({ earn, onClose }: { earn: EarnSnapshot; onClose: () => void }) {
  const hardware = useStore(hardwareStore)
  const catalog = useStore(catalogStore)
  const local = useStore(localModelsStore)
  const startError = useStore(onboardingErrorStore)
  const [step, setStep] = useState(0)
  const [picked, setPicked] = useState<ModelChoice | null>(null)
  const [starting, setStarting] = useState(false)
  useEffect(() => {
    errorStore.set(null)
    onboardingErrorStore.set(null)
    void refreshModels()
  }, [])
  const choice = picked ?? defaultModelChoice(catalog, local)
  const keySaved = earn.settings.network === 'aipg' && !!earn.apiKeyLastFour
  const chosenName =
    choice?.kind === 'catalog'
      ? catalog.find((item) => item.id === choice.catalogId)?.name
      : local.find((model) => model.id === choice?.modelId)?.fileName

  const finish = async () => {
    await setOnboardingDone(true)
    onClose()
  }
  const start = async () => {
    if (!choice) return
    setStarting(true)
    const started = await startQuickStart(choice)
    setStarting(false)
    if (started) await finish()
  }

  return (
    <section className="onboarding" aria-label="Set up earning">
      <ol className="onboarding-steps">
        {STEPS.map((title, index) => (
          <li key={title} aria-current={index === step ? 'step' : undefined}>
            {index + 1}. {title}
          </li>
        ))}
      </ol>
      {step === 0 && <PcStep hardware={hardware} catalog={catalog} local={local} choice={choice} onChoose={setPicked} />}
      {step === 1 && <PrivacyStep />}
      {step === 2 && <ApiKeyStep earn={earn} onSaved={() => setStep(3)} />}
      {step === 3 && (
        <div className="onboarding-step">
          <h2>Start earning</h2>
          <p>
            GridForge will {choice?.kind === 'catalog' && !catalog.find((i) => i.id === choice.catalogId)?.localModelId ? 'download, ' : ''}
            load <strong>{chosenName ?? 'the model'}</strong>, connect as <strong>{earn.settings.workerName}</strong> and wait for the first
            job. Each step shows its progress here in the Earn view.
          </p>
          {startError && (
            <p className="error-text" role="alert">
              {startError.message}
            </p>
          )}
          <button type="button" className="earn-toggle start" disabled={!choice || !keySaved || starting} onClick={() => void start()}>
            Start earning
          </button>
        </div>
      )}
      <div className="onboarding-nav">
        {step > 0 && (
          <button type="button" onClick={() => setStep(step - 1)}>
            Back
          </button>
        )}
        {step < 2 && (
          <button type="button" disabled={step === 0 && !choice} onClick={() => setStep(step + 1)}>
            Next
          </button>
        )}
        <button type="button" className="link" onClick={() => void finish()}>
          Skip setup
        </button>
      </div>
    </section>
  )
}
