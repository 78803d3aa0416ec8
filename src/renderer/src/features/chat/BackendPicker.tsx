import { memo, useEffect } from 'react'
import type { GridNetwork } from '../../../../shared/domain'
import { GRID_NAMES, SERVER_NAME } from '../../../../shared/gridChat'
import { bridgeStore, startBridgeState } from '../../api/bridgeState'
import { useStore } from '../../api/store'
import { chatBackendStore, chooseBackend, gridModelsStore, refreshGridModels } from './gridChatState'

type Choice = 'local' | GridNetwork | 'server'

/**
 * Where replies come from: the local model, the inference server the user runs (saved in "Where the tokens
 * come from"), or (for PCs too weak to run one) the AIPG grid or the AI Horde.
 */
export const BackendPicker = memo(function BackendPicker() {
  useEffect(() => startBridgeState(), [])
  const server = useStore(bridgeStore)
  const backend = useStore(chatBackendStore)
  const models = useStore(gridModelsStore)
  const network = backend.kind === 'grid' ? backend.network : null
  const listed = network ? models[network] : undefined

  useEffect(() => {
    if (network && listed === undefined) void refreshGridModels(network)
  }, [network, listed])
  // Until the user picks one, the grid's first listed model is the choice.
  const first = listed?.[0]?.id
  useEffect(() => {
    if (backend.kind === 'grid' && backend.model === '' && first) chooseBackend({ ...backend, model: first })
  }, [backend, first])

  const choose = (choice: Choice) => {
    if (choice === 'local') chooseBackend({ kind: 'local' })
    else if (choice === 'server') chooseBackend({ kind: 'server' })
    else chooseBackend({ kind: 'grid', network: choice, model: models[choice]?.[0]?.id ?? '' })
  }

  return (
    <div className="backend-picker">
      <label htmlFor="chat-backend">Replies from</label>
      <select
        id="chat-backend"
        value={network ?? (backend.kind === 'server' ? 'server' : 'local')}
        onChange={(event) => choose(event.target.value as Choice)}
      >
        <option value="local">Local model (private, offline)</option>
        {(server?.model || backend.kind === 'server') && (
          <option value="server">
            {SERVER_NAME} ({server?.model || 'not set up'}, stays on your server)
          </option>
        )}
        <option value="aipg">{GRID_NAMES.aipg} (community workers)</option>
        <option value="horde">{GRID_NAMES.horde} (community workers)</option>
      </select>
      {network && backend.kind === 'grid' && (
        <>
          <span className="field">
            <label htmlFor="grid-model">Grid model</label>
            <input
              id="grid-model"
              list="grid-models"
              value={backend.model}
              placeholder={listed === null ? 'Loading models…' : 'Model name'}
              onChange={(event) => chooseBackend({ ...backend, model: event.target.value })}
            />
          </span>
          <datalist id="grid-models">
            {(listed ?? []).map((model) => (
              <option key={model.id} value={model.id}>
                {model.workers !== null ? `${model.id} (${model.workers} worker${model.workers === 1 ? '' : 's'})` : model.id}
              </option>
            ))}
          </datalist>
          <button type="button" onClick={() => void refreshGridModels(network)}>
            Refresh models
          </button>
        </>
      )}
    </div>
  )
})
