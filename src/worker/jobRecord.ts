import type { GenerateResult } from '../shared/generation.js'
import type { JobRecord, Network } from './ports.js'
import type { JobSettlement } from './gridTransport.js'

/** The ledger row of one answered job: counts and outcome, never its text. */
export function jobRecord(
  job: { network: Network; id: string; model: string; startedAt: number },
  result: GenerateResult | null,
  settlement: Pick<JobSettlement, 'state' | 'error' | 'reward'>,
  now: number,
): JobRecord {
  const durationMs = result?.durationMs ?? now - job.startedAt
  const decodeMs = durationMs - (result?.firstTokenMs ?? 0)
  return {
    network: job.network,
    jobId: job.id,
    model: job.model,
    promptTokens: result?.promptTokens ?? 0,
    completionTokens: result?.completionTokens ?? 0,
    durationMs,
    tokensPerSecond: result && decodeMs > 0 ? (Math.max(0, result.completionTokens - 1) * 1000) / decodeMs : 0,
    reward: settlement.reward,
    state: settlement.state,
    error: settlement.error,
    startedAt: job.startedAt,
    finishedAt: now,
  }
}
