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
      <NumberOrEarnDefault label="Slots" max={64} value={model.slots} onChange={(slots) => onChange({ ...model, slots })} />
      <NumberOrEarnDefault
        label="Max length"
        max={32768}
        value={model.maxLength}
        onChange={(maxLength) => onChange({ ...model, maxLength })}
      />
      {onRemove && (
        <button type="button" onClick={onRemove} aria-label={`Remove model ${model.name.trim()}`.trim()}>
          Remove model
        </button>
      )}
    </li>
  )
}

/** A whole number from 1 to `max` for this model alone; left empty, the Earn settings' value applies. */
function NumberOrEarnDefault({
  label,
  max,
  value,
  onChange,
}: {
  label: string
  max: number
  value: string
  onChange: (next: string) => void
}) {
  return (
    <label>
      {label}
      <input
        type="number"
        min={1}
        max={max}
        inputMode="numeric"
        value={value}
        placeholder="Earn settings"
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  )
}
