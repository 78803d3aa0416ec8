import type { CatalogItem } from '../../../../shared/models'
import { downloadModel } from '../../api/modelsState'
import { formatBytes } from '../../components/format'
import { fitBadge } from './fitText'

/** The curated models: size, licence, fit for this PC, the recommended one first. */
export function CatalogList({ items, queuedIds }: { items: CatalogItem[]; queuedIds: Set<string> }) {
  const sorted = [...items].sort((a, b) => Number(b.recommended) - Number(a.recommended))
  return (
    <ul className="catalog" aria-label="Catalog">
      {sorted.map((item) => {
        const fit = fitBadge(item.fit.note === 'Estimating…' ? null : item.fit)
        const queued = queuedIds.has(item.id)
        return (
          <li key={item.id} className="catalog-item" data-catalog-id={item.id}>
            <div className="catalog-head">
              <strong>{item.name}</strong>
              {item.recommended && <span className="badge recommended">Recommended for this PC</span>}
              <span className={`badge fit ${fit.tone}`} title={fit.detail}>
                {fit.label}
              </span>
            </div>
            <p className="catalog-description">{item.description}</p>
            <p className="catalog-facts">
              {(item.parameters / 1e9).toFixed(1)}B parameters · {item.quantization} · {formatBytes(item.sizeBytes)} ·{' '}
              {item.contextLength.toLocaleString()} context · {item.license} licence · {item.publisher}
            </p>
            <p className="catalog-fit">{fit.detail}</p>
            {item.localModelId ? (
              <span className="downloaded">Downloaded</span>
            ) : (
              <button
                type="button"
                aria-label={`Download ${item.name}`}
                disabled={queued || item.fit.kind === 'too-large'}
                onClick={() => void downloadModel(item.id)}
              >
                {queued ? 'In the queue' : 'Download'}
              </button>
            )}
          </li>
        )
      })}
    </ul>
  )
}
