import type { CatalogItem, HardwareInfo, LocalModel } from '../../../../shared/models'
import type { ModelChoice } from '../../../../shared/quickStart'
import { formatBytes } from '../../components/format'
import { fitBadge, isEstimating, isOffline } from '../models/fitText'
import { hardwareRows } from './onboardingText'

/** The value of a model choice in the picker. */
export function choiceKey(choice: ModelChoice | null): string {
  if (!choice) return ''
  return choice.kind === 'catalog' ? `catalog:${choice.catalogId}` : `local:${choice.modelId}`
}

function parseKey(key: string): ModelChoice | null {
  const [kind, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)]
  if (kind === 'catalog' && id) return { kind: 'catalog', catalogId: id }
  if (kind === 'local' && id) return { kind: 'local', modelId: id }
  return null
}

/**
 * Until the user picks one: a model file already on this PC (added by hand, or a catalog model downloaded
 * before), so setting up never downloads what the PC has; with none, the recommended catalog model.
 */
export function defaultModelChoice(catalog: CatalogItem[], local: LocalModel[]): ModelChoice | null {
  const own = local.find((model) => model.present && !catalog.some((item) => item.localModelId === model.id))
  if (own) return { kind: 'local', modelId: own.id }
  const downloaded = catalog.find((item) => item.localModelId && local.some((model) => model.id === item.localModelId && model.present))
  const recommended = downloaded ?? catalog.find((item) => item.recommended)
  return recommended ? { kind: 'catalog', catalogId: recommended.id } : null
}

/** Step 1: this PC's hardware, the models already on it first, then the recommended catalog model and the others. */
export function PcStep(props: {
  hardware: HardwareInfo | null
  catalog: CatalogItem[]
  local: LocalModel[]
  choice: ModelChoice | null
  onChoose: (choice: ModelChoice | null) => void
}) {
  const { hardware, catalog, local, choice } = props
  const recommended = catalog.find((item) => item.recommended) ?? null
  const downloaded = local.filter((model) => model.present && !catalog.some((item) => item.localModelId === model.id))
  const badge = recommended ? fitBadge(recommended.fit) : null
  const offline = catalog.some((item) => isOffline(item.fit)) && catalog.every((item) => item.localModelId || isOffline(item.fit))
  const estimating = catalog.length === 0 || catalog.some((item) => isEstimating(item.fit))
  const localGroup = downloaded.length > 0 && (
    <optgroup label="Already on this PC">
      {downloaded.map((model) => (
        <option key={model.id} value={`local:${model.id}`}>
          {model.fileName}, {formatBytes(model.sizeBytes)}
        </option>
      ))}
    </optgroup>
  )
  return (
    <div className="onboarding-step">
      <h2>Your PC</h2>
      {hardware ? (
        <dl className="hardware" aria-label="Your PC">
          {hardwareRows(hardware).map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="muted">Looking at this PC…</p>
      )}
      {downloaded.length > 0 && (
        <p className="recommended" data-testid="local-model-first">
          {downloaded.length === 1 ? 'A model is' : `${downloaded.length} models are`} already on this PC: mining one needs no download.
          {recommended ? ` The catalog's pick for this PC is ${recommended.name} (${formatBytes(recommended.sizeBytes)}).` : ''}
        </p>
      )}
      {downloaded.length > 0 ? null : recommended && badge ? (
        <p className="recommended" data-testid="recommended-model">
          Recommended for this PC: <strong>{recommended.name}</strong> ({formatBytes(recommended.sizeBytes)}). {badge.label}: {badge.detail}
        </p>
      ) : offline ? (
        <p className="recommended" data-testid="recommended-model">
          Fit unknown: offline. The model host could not be reached, so no catalog model can be recommended now; a catalog model downloads
          once the network is back.
        </p>
      ) : estimating ? (
        <p className="muted">Checking which catalog model fits this PC…</p>
      ) : (
        <p className="muted">No catalog model is known to fit this PC well; choose one below.</p>
      )}
      <label>
        Model to mine with
        <select value={choiceKey(choice)} onChange={(event) => props.onChoose(parseKey(event.target.value))}>
          <option value="">Choose a model…</option>
          {localGroup}
          <optgroup label="Catalog (downloaded when needed)">
            {catalog.map((item) => (
              <option key={item.id} value={`catalog:${item.id}`}>
                {item.name}, {formatBytes(item.sizeBytes)}, {fitBadge(item.fit).label.toLowerCase()}
                {item.recommended ? ' (recommended)' : ''}
                {item.localModelId ? ' (downloaded)' : ''}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
    </div>
  )
}
