import { useEffect, useState } from 'react'
import {
  CHAT_PRESETS,
  DEFAULT_CONVERSATION_SETTINGS,
  type ChatPreset,
  type ChatSampling,
  type ConversationSettings,
} from '../../../../shared/chatSettings'
import type { Conversation } from '../../../../shared/domain'
import { newChatSettingsStore } from '../../api/appState'
import { useStore } from '../../api/store'
import { exportChats, saveSettings } from './chatActions'

const FIELDS: Array<{ key: keyof ChatSampling; label: string; min: number; max: number; step: number }> = [
  { key: 'temperature', label: 'Temperature', min: 0, max: 2, step: 0.05 },
  { key: 'topP', label: 'Top-p', min: 0, max: 1, step: 0.01 },
  { key: 'topK', label: 'Top-k', min: 0, max: 1000, step: 1 },
  { key: 'minP', label: 'Min-p', min: 0, max: 1, step: 0.01 },
  { key: 'repeatPenalty', label: 'Repeat penalty', min: 1, max: 2, step: 0.01 },
  { key: 'maxTokens', label: 'Max tokens', min: 1, max: 32768, step: 1 },
]

/** System prompt, preset, sampling and context size of the open (or the next new) conversation. */
export function ChatSettingsPanel({ conversation }: { conversation: Conversation | null }) {
  const newChat = useStore(newChatSettingsStore)
  const stored = conversation ? (conversation.settings ?? DEFAULT_CONVERSATION_SETTINGS) : newChat
  const [draft, setDraft] = useState<ConversationSettings>(stored)
  useEffect(() => setDraft(stored), [stored])
  const changed = JSON.stringify(draft) !== JSON.stringify(stored)

  const update = (next: ConversationSettings) => {
    setDraft(next)
    if (!conversation) newChatSettingsStore.set(next)
  }
  const choosePreset = (preset: ChatPreset) =>
    update({ ...draft, preset, sampling: preset === 'custom' ? draft.sampling : CHAT_PRESETS[preset] })

  return (
    <details className="chat-settings">
      <summary>Chat settings · {draft.preset}</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          if (conversation) void saveSettings(conversation.id, draft)
        }}
      >
        <label>
          System prompt
          <textarea rows={2} value={draft.systemPrompt} onChange={(event) => update({ ...draft, systemPrompt: event.target.value })} />
        </label>
        <label>
          Preset
          <select value={draft.preset} onChange={(event) => choosePreset(event.target.value as ChatPreset)}>
            <option value="precise">Precise</option>
            <option value="balanced">Balanced</option>
            <option value="creative">Creative</option>
            <option value="custom">Custom</option>
          </select>
        </label>
        <div className="sampling">
          {FIELDS.map((field) => (
            <label key={field.key}>
              {field.label}
              <input
                type="number"
                min={field.min}
                max={field.max}
                step={field.step}
                value={draft.sampling[field.key]}
                onChange={(event) => {
                  const value = Number(event.target.value)
                  if (!Number.isFinite(value)) return
                  update({ ...draft, preset: 'custom', sampling: { ...draft.sampling, [field.key]: value } })
                }}
              />
            </label>
          ))}
          <label>
            Context size
            <input
              type="number"
              min={256}
              step={256}
              placeholder="model's"
              value={draft.contextSize ?? ''}
              onChange={(event) =>
                update({ ...draft, contextSize: event.target.value === '' ? null : Math.max(256, Math.round(Number(event.target.value))) })
              }
            />
          </label>
        </div>
        {conversation ? (
          <div className="settings-actions">
            <button type="submit" disabled={!changed}>
              Save settings
            </button>
            <button type="button" onClick={() => void exportChats(conversation.id, 'json')}>
              Export JSON
            </button>
            <button type="button" onClick={() => void exportChats(conversation.id, 'markdown')}>
              Export Markdown
            </button>
          </div>
        ) : (
          <p className="hint">These apply to the next new chat.</p>
        )}
      </form>
    </details>
  )
}
