import { useEffect, useState } from 'react'
import type { BridgeBackendKind, BridgeGridNames, BridgeSettingsView, FoundServer } from '../../../../shared/bridge'
import {
  bridgeErrorStore,
  bridgeStore,
  bridgeTestStore,
  configureBridge,
  findBridgeServers,
  foundServersStore,
  startBridgeState,
  testBridge,
} from '../../api/bridgeState'
import { useStore } from '../../api/store'

const KIND_LABELS: Record<BridgeBackendKind, string> = {
  openai: 'OpenAI-compatible (Ollama, LM Studio, llama.cpp server, vLLM, Jan)',
  kobold: 'KoboldAI (KoboldCpp; Horde only)',
}

/**
 * "Where the tokens come from": GridForge's own model, or a server the user already runs (bridge mode).
 * Mounted in the Earn view and in Settings; both show the same saved settings.
 */
export function BridgePanel({ disabled = false }: { disabled?: boolean }) {
  useEffect(() => startBridgeState(), [])
  const view = useStore(bridgeStore)
  if (!view) return null
  return <BridgeForm key={`${view.mode}|${view.kind}|${view.url}|${view.model}|${view.gridModel ?? ''}`} view={view} disabled={disabled} />
}

function BridgeForm({ view, disabled }: { view: BridgeSettingsView; disabled: boolean }) {
  const error = useStore(bridgeErrorStore)
  const test = useStore(bridgeTestStore)
  const found = useStore(foundServersStore)
  const [server, setServer] = useState(view.mode === 'server')
  const [kind, setKind] = useState(view.kind)
  const [url, setUrl] = useState(view.url)
  const [model, setModel] = useState(view.model)
  const [apiKey, setApiKey] = useState('')
  const [gridModel, setGridModel] = useState(view.gridModel ?? '')
  const [busy, setBusy] = useState<'find' | 'test' | null>(null)
  const typedKey = apiKey.trim() ? { apiKey: apiKey.trim() } : {}
  // The names of the model in the form: the last test's when it tested this model, else the saved one's.
  const names = test?.names && model === view.model ? test.names : model === view.model ? view.names : (test?.names ?? null)
  const models = [...new Set([...(test?.models ?? []), ...(found?.find((f) => f.url === url)?.models ?? [])])]

  const useFound = (candidate: FoundServer) => {
    setKind(candidate.kind)
    setUrl(candidate.url)
    if (candidate.models.length === 1) setModel(candidate.models[0]!)
  }
  const save = (mode: 'embedded' | 'server') =>
    void configureBridge({ mode, kind, url, model, gridModel: gridModel || null, ...typedKey }).then((ok) => ok && setApiKey(''))

  return (
    <div className="settings-card" aria-label="Where the tokens come from">
      <h2>Where the tokens come from</h2>
      <p className="muted">
        Earn with the model GridForge loads, or through an inference server you already run on this PC or your network. The server&apos;s
        key stays on this PC, kept like your grid keys.
      </p>
      {error && (
        <div className="error" role="alert">
          {error.message}
        </div>
      )}
      <fieldset disabled={disabled} className="bridge-choice">
        <label className="toggle">
          <input
            type="radio"
            name="bridge-mode"
            checked={!server}
            onChange={() => {
              setServer(false)
              if (view.mode === 'server') save('embedded')
            }}
          />
          GridForge&apos;s own model (load it in Chat)
        </label>
        <label className="toggle">
          <input type="radio" name="bridge-mode" checked={server} onChange={() => setServer(true)} />
          Use a server I already run
        </label>
      </fieldset>
      {disabled && <p className="muted">Stop earning to change where the tokens come from.</p>}
      {server && (
        <fieldset disabled={disabled} className="bridge-server">
          <div>
            <button
              type="button"
              disabled={busy !== null}
              onClick={() => {
                setBusy('find')
                void findBridgeServers().finally(() => setBusy(null))
              }}
            >
              {busy === 'find' ? 'Looking…' : 'Find servers on this PC'}
            </button>
          </div>
          {found && found.length === 0 && (
            <p role="status" className="muted">
              No server answered on the usual ports of this PC (Ollama 11434, LM Studio 1234, llama.cpp 8080, KoboldCpp 5001, vLLM 8000, Jan
              1337). Enter its address below.
            </p>
          )}
          {found && found.length > 0 && (
            <ul className="found-servers" aria-label="Servers on this PC">
              {found.map((candidate) => (
                <li key={candidate.url}>
                  <button type="button" className="link" onClick={() => useFound(candidate)}>
                    Use {candidate.name} at {candidate.url}
                  </button>{' '}
                  <span className="muted">
                    {candidate.needsKey
                      ? 'wants an API key'
                      : candidate.models.length
                        ? candidate.models.slice(0, 6).join(', ')
                        : 'no model loaded'}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <label>
            Server type
            <select value={kind} onChange={(e) => setKind(e.target.value as BridgeBackendKind)}>
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
              value={url}
              placeholder={kind === 'openai' ? 'http://127.0.0.1:11434/v1' : 'http://127.0.0.1:5001'}
              onChange={(e) => setUrl(e.target.value)}
            />
          </label>
          <label>
            Server model
            <input value={model} list="bridge-models" placeholder="the name the server lists" onChange={(e) => setModel(e.target.value)} />
            <datalist id="bridge-models">
              {models.map((name) => (
                <option key={name} value={name} />
              ))}
            </datalist>
          </label>
          {names && <GridNameChoice names={names} picked={gridModel} onPick={setGridModel} />}
          <label>
            Server API key {view.hasKey && <span className="muted">(stored)</span>}
            <input
              type="password"
              autoComplete="off"
              value={apiKey}
              placeholder={view.hasKey ? 'type a new key to replace it' : 'only if the server wants one'}
              onChange={(e) => setApiKey(e.target.value)}
            />
          </label>
          <div>
            <button
              type="button"
              disabled={busy !== null || !url.trim()}
              onClick={() => {
                setBusy('test')
                void testBridge({ kind, url, model, gridModel: gridModel || null, ...typedKey }).finally(() => setBusy(null))
              }}
            >
              {busy === 'test' ? 'Testing…' : 'Test connection'}
            </button>{' '}
            <button type="button" disabled={!url.trim() || !model.trim()} onClick={() => save('server')}>
              Save and earn through this server
            </button>{' '}
            {view.hasKey && (
              <button type="button" onClick={() => void configureBridge({ mode: view.mode, kind, url, model, apiKey: null })}>
                Forget the key
              </button>
            )}
          </div>
          {test && (
            <p role="status" data-testid="bridge-test" className={test.ok ? undefined : 'error-text'}>
              {test.message}
            </p>
          )}
        </fieldset>
      )}
      {view.mode === 'server' && (
        <p className="muted" data-testid="bridge-status">
          {view.status?.message ?? `Start earning serves "${view.model}" from ${view.url}.`}
        </p>
      )}
    </div>
  )
}

/**
 * The name AIPG sees. Den pays a registry model's multiplier only under its exact registry name (§16.5): a
 * sure match is shown; otherwise the user may say which registry model the server's model is.
 */
function GridNameChoice({ names, picked, onPick }: { names: BridgeGridNames; picked: string; onPick: (name: string) => void }) {
  const choices = [...new Set([...names.suggestions, ...(picked ? [picked] : [])])]
  if (names.registered && !picked)
    return (
      <p className="muted" data-testid="bridge-grid-name">
        On AIPG: the registry model “{names.aipg}” (den ×{names.multiplier}).
      </p>
    )
  return (
    <label>
      Name on AIPG
      <select value={picked} onChange={(e) => onPick(e.target.value)} data-testid="bridge-grid-name">
        <option value="">{picked ? 'Match it from the server’s name' : `“${names.aipg}” (not in the model registry, den ×1)`}</option>
        {choices.map((name) => (
          <option key={name} value={name}>
            {name} (registry model)
          </option>
        ))}
      </select>
      {!picked && choices.length > 0 && (
        <span className="muted">
          {' '}
          If the server’s model is one of the registry models, choose it: den pays their multiplier only under that name.
        </span>
      )}
    </label>
  )
}
