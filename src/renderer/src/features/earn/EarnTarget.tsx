import type { EarnSnapshot, GridNetwork } from '../../../../shared/domain'
import { GRID_NAMES } from '../../../../shared/gridChat'
import { configureEarn } from '../../api/appState'
import type { EarnModelOption } from './earnModelChoice'

const GROUP_LABELS: Record<EarnModelOption['group'], string> = {
  loaded: 'Loaded',
  local: 'On this PC',
  catalog: 'Catalog (downloaded first)',
}

/** The model and the grid Start earning will use, chosen before a start and fixed while mining. */
export function EarnTarget({
  earn,
  options,
  value,
  onChoose,
  locked,
}: {
  earn: EarnSnapshot
  options: EarnModelOption[]
  value: string | null
  onChoose: (value: string) => void
  locked: boolean
}) {
  const groups = (['loaded', 'local', 'catalog'] as const).filter((group) => options.some((option) => option.group === group))
  return (
    <div className="earn-target">
      <label>
        Model to mine
        <select value={value ?? ''} disabled={locked || options.length === 0} onChange={(event) => onChoose(event.target.value)}>
          {options.length === 0 && <option value="">No model yet: add one in Models</option>}
          {groups.map((group) => (
            <optgroup key={group} label={GROUP_LABELS[group]}>
              {options
                .filter((option) => option.group === group)
                .map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
            </optgroup>
          ))}
        </select>
      </label>
      <label>
        Grid to mine on
        <select
          value={earn.settings.network}
          disabled={locked}
          onChange={(event) => void configureEarn({ ...earn.settings, network: event.target.value as GridNetwork })}
        >
          {(Object.keys(GRID_NAMES) as GridNetwork[]).map((network) => (
            <option key={network} value={network}>
              {GRID_NAMES[network]}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}
