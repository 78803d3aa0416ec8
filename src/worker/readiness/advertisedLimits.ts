import type { WorkerLimits } from '../params.js'

/**
 * What a worker may advertise for the loaded model: never more context than the loaded context holds
 * (over-advertising invites context probes the model then fails, §16.4), and room left in it for a prompt.
 */
export function advertisedLimits(requested: { maxLength?: number | null; maxContextLength?: number | null }, loadedContext: number): WorkerLimits {
  const maxContextLength = Math.min(requested.maxContextLength ?? loadedContext, loadedContext)
  return { maxContextLength, maxLength: Math.min(requested.maxLength ?? 512, Math.max(16, maxContextLength - 16)) }
}
