import type { BridgeGridNames } from '../../../../shared/bridge'
import { GridNameChoice } from './GridNameChoice'
import type { ModelDraft } from './serverDrafts'

/** One model a server serves: its name there, the name AIPG sees, and its slots and longest reply. */
export function ServedModelRow({
  model,
  names,
  listId,
  onChange,
  onRemove,
}: {
  model: ModelDraft
  /** The last test's names for this model, else what the host worked out when it was saved. */
  names: BridgeGridNames | null
  listId: string
  onChange: (next: ModelDraft) => void
  onRemove: (() => void) | null
}) {
  return (
    <li className="bridge-model">
      <label>
        Server model
        <input
          value={model.name}
          list={listId}
          placeholder="the name the server lists"
          onChange={(e) => onChange({ ...model, name: e.target.value, names: null })}
        />
      </label>
      {names && <GridNameChoice names={names} picked={model.gridModel} onPick={(gridModel) => onChange({ ...model, gridModel })} />}
      <label>
        Slots
        <input
          type="number"
          min={1}
          max={64}
          inputMode="numeric"
          value={model.slots}
          placeholder="Earn settings"
          onChange={(e) => onChange({ ...model, slots: e.target.value })}
        />
      </label>
      <label>
        Max length
        <input
          type="number"
          min={1}
          max={32768}
          inputMode="numeric"
          value={model.maxLength}
          placeholder="Earn settings"
          onChange={(e) => onChange({ ...model, maxLength: e.target.value })}
        />
      </label>
      {onRemove && (
        <button type="button" onClick={onRemove} aria-label={`Remove model ${model.name.trim()}`.trim()}>
          Remove model
        </button>
      )}
    </li>
  )
}
