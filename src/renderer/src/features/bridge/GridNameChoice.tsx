import type { BridgeGridNames } from '../../../../shared/bridge'

/**
 * The name AIPG sees. Den pays a registry model's multiplier only under its exact registry name (§16.5): a
 * sure match is shown; otherwise the user may say which registry model the server's model is.
 */
export function GridNameChoice({ names, picked, onPick }: { names: BridgeGridNames; picked: string; onPick: (name: string) => void }) {
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
