import { useEffect, useState } from 'react'
import type { AppErrorShape } from '../../../../shared/result'
import { engineStore } from '../../api/appState'
import { api } from '../../api/bridge'
import { useStore } from '../../api/store'

/** Settings › Faster chat: drafting chat replies with a smaller model of the loaded model's family, and what it does now. */
export function DraftModelSettings() {
  const engine = useStore(engineStore)
  const [enabled, setEnabled] = useState<boolean | null>(null)
  const [error, setError] = useState<AppErrorShape | null>(null)
  useEffect(() => {
    void api?.call('chat.draftModel', {}).then((result) => result.ok && setEnabled(result.value.enabled))
  }, [])
  if (enabled === null) return null
  const toggle = async (next: boolean) => {
    if (!api) return
    const result = await api.call('chat.setDraftModel', { enabled: next })
    setError(result.ok ? null : result.error)
    if (result.ok) setEnabled(result.value.enabled)
  }
  const model = engine?.model

  return (
    <div className="settings-card" aria-label="Faster chat">
      <h2>Faster chat</h2>
      <p className="muted">
        When a smaller model of the same family is downloaded (Qwen2.5 0.5B for the larger Qwen2.5 models, Llama 3.2 1B for Llama 3.2 3B and
        3.1 8B, Qwen3 4B for Qwen3 14B), it drafts the next words of a chat reply and the loaded model checks every one, so the reply is
        still its own. Off by default: on a PC without a GPU it has so far measured slower than chat without it.
      </p>
      <label>
        <input type="checkbox" checked={enabled} onChange={(event) => void toggle(event.target.checked)} /> Speed up chat with a smaller
        model (from the next model load)
      </label>
      <p className="muted" data-testid="draft-model-status">
        {model?.draft ? `Speeding up with ${model.draft}` : (model?.draftNote ?? 'No draft model in use.')}
      </p>
      {error && <p className="error-text">{error.message}</p>}
    </div>
  )
}
