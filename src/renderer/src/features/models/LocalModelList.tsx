import { useState } from 'react'
import type { EngineSnapshot } from '../../../../shared/domain'
import type { LocalModel } from '../../../../shared/models'
import { loadModel, unloadModel } from '../../api/appState'
import { removeModel } from '../../api/modelsState'
import { formatBytes } from '../../components/format'
import { fitBadge } from './fitText'

/** Registered models with what their header says, load/unload, and remove with confirmation. */
export function LocalModelList({ models, engine }: { models: LocalModel[]; engine: EngineSnapshot | null }) {
  const [confirming, setConfirming] = useState<string | null>(null)
  if (models.length === 0) {
    return (
      <p className="empty-note">
        No models yet: download one from the{' '}
        <button
          type="button"
          className="link"
          onClick={() => document.getElementById('catalog-heading')?.scrollIntoView({ behavior: 'smooth' })}
        >
          catalog below
        </button>{' '}
        (the one marked &ldquo;Recommended for this PC&rdquo; fits), or add a file or folder you already have.
      </p>
    )
  }
  const busy = engine?.state === 'loading' || engine?.state === 'unloading'
  return (
    <ul className="local-models" aria-label="Local models">
      {models.map((model) => {
        const loaded = engine?.model?.path === model.path
        const meta = model.metadata
        const fit = fitBadge(model.fit)
        return (
          <li key={model.id} data-model-id={model.id}>
            <div className="catalog-head">
              <strong>{model.fileName}</strong>
              {loaded && <span className="badge loaded">Loaded</span>}
              <span className={`badge fit ${fit.tone}`} title={fit.detail}>
                {fit.label}
              </span>
              {!model.present && <span className="badge bad">File missing</span>}
            </div>
            <p className="catalog-facts">
              {meta?.name && meta.name !== model.fileName && meta.name !== meta.architecture ? `${meta.name} · ` : ''}
              {formatBytes(model.sizeBytes)}
              {meta?.architecture && ` · ${meta.architecture}`}
              {meta?.parameters ? ` · ${formatCount(meta.parameters)} parameters` : ''}
              {meta?.quantization && ` · ${meta.quantization}`}
              {meta?.contextLength ? ` · ${meta.contextLength.toLocaleString()} context` : ''}
              {meta && (meta.hasChatTemplate ? ' · chat template' : ' · no chat template (text continuation)')}
            </p>
            <p className="model-path">
              {model.owned ? 'Downloaded by GridForge' : 'Registered in place'}: {model.path}
            </p>
            <div className="download-actions">
              {loaded ? (
                <button type="button" disabled={busy} onClick={() => void unloadModel()}>
                  Unload
                </button>
              ) : (
                <button type="button" className="primary" disabled={busy || !model.present} onClick={() => void loadModel(model.path)}>
                  Load
                </button>
              )}
              {confirming === model.id ? (
                <span className="confirm">
                  {model.owned ? 'Delete the file too?' : 'Forget this model? The file stays.'}{' '}
                  <button
                    type="button"
                    className="danger"
                    onClick={() => {
                      setConfirming(null)
                      void removeModel(model)
                    }}
                  >
                    {model.owned ? 'Delete' : 'Remove'}
                  </button>
                  <button type="button" onClick={() => setConfirming(null)}>
                    Keep
                  </button>
                </span>
              ) : (
                <button type="button" disabled={loaded} onClick={() => setConfirming(model.id)}>
                  Remove…
                </button>
              )}
            </div>
          </li>
        )
      })}
    </ul>
  )
}

function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`
  if (n >= 1e6) return `${Math.round(n / 1e6)}M`
  return `${Math.round(n / 1e3)}K`
}
