import { useEffect, useRef, useState } from 'react'
import type { BridgeBackendKind, BridgeServerView, BridgeTestResult } from '../../../../shared/bridge'
import { ServedModelRow } from './ServedModelRow'
import { emptyModel, type ServerDraft } from './serverDrafts'

/** What Test connection said for one model of the server. */
export interface ServerTest {
  model: string
  result: BridgeTestResult
}

const KIND_LABELS: Record<BridgeBackendKind, string> = {
  openai: 'OpenAI-compatible (Ollama, LM Studio, llama.cpp server, vLLM, Jan)',
  kobold: 'KoboldAI (KoboldCpp; Horde only)',
}

/**
 * One server of the list: where it is, its key (only whether one is stored), the models it serves, its own
 * Test connection and status line, and Remove, which asks first.
 */
export function ServerCard({
  index,
  draft,
  saved,
  tests,
  modelsListed,
  focusOnMount,
  onChange,
  onTest,
  onRemove,
}: {
  index: number
  draft: ServerDraft
  /** The server as the host has it (its status); null for a card not saved yet. */
  saved: BridgeServerView | null
  /** The last Test connection's answers, one per model tested ('' when none was named). */
  tests: ServerTest[] | null
  /** Models the server listed (its last test, or "Find servers on this PC"), offered as the model name. */
  modelsListed: string[]
  focusOnMount: boolean
  onChange: (next: ServerDraft) => void
  onTest: () => Promise<void>
  onRemove: () => void
}) {
  const [testing, setTesting] = useState(false)
  const [confirming, setConfirming] = useState(false)
  const urlInput = useRef<HTMLInputElement>(null)
  const keepButton = useRef<HTMLButtonElement>(null)
  const title = `Server ${index + 1}`
  const listId = `bridge-models-${draft.id}`
  useEffect(() => {
    if (focusOnMount) urlInput.current?.focus()
  }, [focusOnMount])
  useEffect(() => {
    if (confirming) keepButton.current?.focus()
  }, [confirming])
  const namesOf = (name: string, fallback: ServerDraft['models'][number]['names']) =>
    tests?.find((test) => test.model === name)?.result.names ?? fallback

  return (
    <section className="bridge-server-card" aria-label={title}>
      <h3>
        {title} <span className="muted">{draft.url.trim() || 'no address yet'}</span>
      </h3>
      <label>
        Server type
        <select value={draft.kind} onChange={(e) => onChange({ ...draft, kind: e.target.value as BridgeBackendKind })}>
          {(Object.keys(KIND_LABELS) as BridgeBackendKind[]).map((value) => (
            <option key={value} value={value}>
              {KIND_LABELS[value]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Server URL
        <input
          ref={urlInput}
          value={draft.url}
          placeholder={draft.kind === 'openai' ? 'http://127.0.0.1:11434/v1' : 'http://127.0.0.1:5001'}
          onChange={(e) => onChange({ ...draft, url: e.target.value })}
        />
      </label>
      <label>
        Server API key {draft.hasKey && !draft.forgetKey && <span className="muted">(key saved)</span>}
        <input
          type="password"
          autoComplete="off"
          value={draft.apiKey}
          placeholder={draft.hasKey ? 'type a new key to replace it' : 'only if the server wants one'}
          onChange={(e) => onChange({ ...draft, apiKey: e.target.value })}
        />
      </label>
      {draft.hasKey && (
        <label className="toggle">
          <input type="checkbox" checked={draft.forgetKey} onChange={(e) => onChange({ ...draft, forgetKey: e.target.checked })} />
          Forget the saved key when I save
        </label>
      )}
      <ul className="bridge-models" aria-label={`Models of ${title}`}>
        {draft.models.map((model, modelIndex) => (
          <ServedModelRow
            key={modelIndex}
            model={model}
            names={namesOf(model.name.trim(), model.names)}
            listId={listId}
            onChange={(next) => onChange({ ...draft, models: draft.models.map((old, i) => (i === modelIndex ? next : old)) })}
            onRemove={
              draft.models.length > 1 ? () => onChange({ ...draft, models: draft.models.filter((_, i) => i !== modelIndex) }) : null
            }
          />
        ))}
      </ul>
      <datalist id={listId}>
        {modelsListed.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <div className="bridge-card-actions">
        <button type="button" onClick={() => onChange({ ...draft, models: [...draft.models, emptyModel()] })}>
          Add model
        </button>
        <button
          type="button"
          disabled={testing || !draft.url.trim()}
          onClick={() => {
            setTesting(true)
            void onTest().finally(() => setTesting(false))
          }}
        >
          {testing ? 'Testing…' : 'Test connection'}
        </button>
        {!confirming && (
          <button type="button" onClick={() => setConfirming(true)}>
            Remove server
          </button>
        )}
      </div>
      {confirming && (
        <div className="bridge-confirm" role="group" aria-label={`Remove ${title}?`}>
          <span>
            Remove {title} ({draft.url.trim() || 'no address'}) from the list{draft.saved ? ', with its saved key' : ''}?
          </span>{' '}
          <button type="button" className="danger" onClick={onRemove}>
            Remove it
          </button>{' '}
          <button type="button" ref={keepButton} onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      )}
      {tests?.map(({ model, result }) => (
        <p key={model} role="status" data-testid="bridge-test" className={result.ok ? undefined : 'error-text'}>
          {result.message}
        </p>
      ))}
      <p className="muted" data-testid="bridge-status">
        {statusWords(draft, saved)}
      </p>
    </section>
  )
}

/** This server's own status line: what it did last while the miner used it, else what Start earning will do. */
function statusWords(draft: ServerDraft, saved: BridgeServerView | null): string {
  if (!saved) return 'Not saved yet.'
  if (saved.status) return saved.status.message
  const models = saved.models.map((model) => `"${model.name}"`).join(' and ')
  return models ? `Start earning serves ${models} from ${saved.url}.` : `No model chosen for ${draft.url.trim() || saved.url} yet.`
}
