import type { EarnSnapshot, EngineSnapshot } from '../../../../shared/domain'

/** What the loaded model earns on AIPG: the den multiplier of the exact name it is advertised under (§16.5). */
export function ModelRateNote({ earn, engine }: { earn: EarnSnapshot; engine: EngineSnapshot | null }) {
  const rate = earn.modelRate
  // The rate is the grid's word on AIPG names; the Horde pays kudos by its own rules.
  if (earn.settings.network !== 'aipg' || !rate || rate.path !== engine?.model?.path) return null
  return (
    <div className="model-rate" data-testid="model-rate" data-multiplier={rate.multiplier}>
      <p className="earn-detail">
        {rate.registered
          ? `Earns ${formatMultiplier(rate.multiplier)}× as ${rate.advertisedName}`
          : "Earns the base rate: this model is not in the grid's registry"}
        {!rate.registered && <span className="muted"> (advertised as {rate.advertisedName})</span>}
      </p>
      {rate.registryProblem && <p className="muted small">{rate.registryProblem}</p>}
    </div>
  )
}

function formatMultiplier(multiplier: number): string {
  return Number.isInteger(multiplier) ? String(multiplier) : multiplier.toFixed(2)
}
