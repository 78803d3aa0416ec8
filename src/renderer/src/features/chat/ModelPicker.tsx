import { useState } from 'react'
import { engineStore, loadModel, localModelsStore, refreshLocalModels, unloadModel } from '../../api/appState'
import { useStore } from '../../api/store'
import { formatBytes } from '../../components/format'

/** Picks a model from the models folder or by path, and shows what the engine is doing. */
export function ModelPicker() {
  const engine = useStore(engineStore)
  const models = useStore(localModelsStore)
  const [path, setPath] = useState('')
  const busy = engine?.state === 'loading' || engine?.state === 'unloading' || engine?.state === 'starting'
  const chosen = path.trim()

  return (
    <div className="model-picker">
      <form
        onSubmit={(event) => {
          event.preventDefault()
          if (chosen) void loadModel(chosen)
        }}
      >
        <label htmlFor="model-path">Model</label>
        <input
          id="model-path"
          list="local-models"
          placeholder="Pick a model from the models folder or paste a .gguf path"
          value={path}
          onChange={(event) => setPath(event.target.value)}
          onFocus={() => void refreshLocalModels()}
        />
        <datalist id="local-models">
          {models.map((model) => (
            <option key={model.path} value={model.path}>
              {model.fileName} ({formatBytes(model.sizeBytes)})
            </option>
          ))}
        </datalist>
        <button type="submit" disabled={!chosen || busy}>
          Load
        </button>
        {engine?.model && (
          <button type="button" onClick={() => void unloadModel()} disabled={busy}>
            Unload
          </button>
        )}
      </form>
      <p className="engine-status" role="status" data-engine-state={engine?.state ?? 'unknown'}>
        {describe(engine)}
      </p>
      {engine?.notice && <p className="notice">{engine.notice}</p>}
    </div>
  )
}

function describe(engine: ReturnType<typeof engineStore.get>): string {
  if (!engine) return 'Connecting…'
  switch (engine.state) {
    case 'starting':
      return 'Starting the engine…'
    case 'restarting':
      return 'Restarting the engine…'
    case 'loading':
      return `Loading ${engine.loading?.path.split(/[\\/]/).pop() ?? 'model'}… ${Math.round((engine.loading?.progress ?? 0) * 100)}%`
    case 'unloading':
      return 'Unloading…'
    case 'idle':
      return 'No model loaded'
    case 'ready': {
      const model = engine.model
      if (!model) return 'Ready'
      const where =
        model.gpuLayers > 0
          ? `GPU (${engine.gpu}), ${model.gpuLayers} layers`
          : `CPU, ${model.threads} thread${model.threads === 1 ? '' : 's'}`
      const mode = model.hasChatTemplate ? 'chat' : 'text continuation (no chat template)'
      return `${model.fileName} loaded · ${where} · context ${model.contextSize} · ${mode}`
    }
  }
}
