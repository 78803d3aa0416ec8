import { useState } from 'react'
import type { CatalogItem, LocalModel } from '../../../../shared/models'
import { engineStore, loadModel, localModelsStore, refreshLocalModels, unloadModel } from '../../api/appState'
import { catalogStore } from '../../api/modelsState'
import { goTo } from '../../api/navigation'
import { useStore } from '../../api/store'
import { sizeAndFit } from '../models/fitText'
import './modelPicker.css'

/**
 * The name a registered model goes by: the catalog's for a catalog download, its header's when that says more
 * than the architecture, else the file's.
 */
export function modelName(model: LocalModel, catalog: readonly CatalogItem[] = []): string {
  const listed = model.catalogId ? catalog.find((item) => item.id === model.catalogId)?.name : undefined
  if (listed) return listed
  const name = model.metadata?.name
  return name && name !== model.metadata?.architecture && name.length <= 60 ? name : model.fileName
}

/**
 * Picks the chat model: the registered models by name with size and fit first, a file by path only on request;
 * and shows what the engine is doing.
 */
export function ModelPicker() {
  const engine = useStore(engineStore)
  const models = useStore(localModelsStore)
  const catalog = useStore(catalogStore)
  const [picked, setPicked] = useState<string | null>(null)
  const [path, setPath] = useState('')
  const busy = engine?.state === 'loading' || engine?.state === 'unloading' || engine?.state === 'starting'
  const present = models.filter((model) => model.present)
  const loadedPath = engine?.model?.path ?? null
  // Until the user picks one, the loaded model (or the first one on this PC) is the choice.
  const chosen = picked ?? loadedPath ?? present[0]?.path ?? ''
  const filePath = path.trim()

  return (
    <div className="model-picker">
      <form
        onSubmit={(event) => {
          event.preventDefault()
          if (chosen) void loadModel(chosen)
        }}
      >
        <label htmlFor="model-choice">Model</label>
        <select
          id="model-choice"
          value={chosen}
          disabled={present.length === 0}
          onChange={(event) => setPicked(event.target.value)}
          onFocus={() => void refreshLocalModels()}
        >
          {present.length === 0 && <option value="">No models on this PC yet</option>}
          {present.map((model) => (
            <option key={model.id} value={model.path}>
              {modelName(model, catalog)} · {sizeAndFit(model.sizeBytes, model.fit)}
              {model.path === loadedPath ? ' · loaded' : ''}
            </option>
          ))}
        </select>
        <button type="submit" disabled={!chosen || busy || chosen === loadedPath}>
          Load
        </button>
        {engine?.model && (
          <button type="button" onClick={() => void unloadModel()} disabled={busy}>
            Unload
          </button>
        )}
      </form>
      {present.length === 0 && (
        <p className="model-picker-empty">
          No model on this PC yet.{' '}
          <button type="button" className="link" onClick={() => goTo('models')}>
            Get one in Models (download, or add a file you have)
          </button>
        </p>
      )}
      <details className="model-picker-file">
        <summary>Another file, by its path</summary>
        <form
          onSubmit={(event) => {
            event.preventDefault()
            if (filePath) void loadModel(filePath)
          }}
        >
          <label htmlFor="model-file-path">GGUF file path</label>
          <input id="model-file-path" placeholder="/path/to/file.gguf" value={path} onChange={(event) => setPath(event.target.value)} />
          <button type="submit" disabled={!filePath || busy}>
            Open file
          </button>
        </form>
      </details>
      <p className="engine-status" role="status" data-engine-state={engine?.state ?? 'unknown'}>
        {describe(engine)}
      </p>
      {engine?.notice && <p className="notice">{engine.notice}</p>}
      {engine?.state === 'ready' && engine.model?.draft && (
        <p className="muted" data-testid="draft-model">
          Speeding up with {engine.model.draft}
        </p>
      )}
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
