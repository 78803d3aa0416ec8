import { z } from 'zod'
import type { AccountJobMark } from '../shared/domain.js'
import { getGridJson, type GridAccess } from './gridRequest.js'

const jobSchema = z.looseObject({
  job_id: z.string().min(1).max(200).optional(),
  id: z.string().min(1).max(200).optional(),
  // Only a literal true is a verified signature: anything else reads as unsigned.
  signed: z.boolean().nullish().catch(null),
  result_hash: z
    .string()
    .regex(/^(0x)?[0-9a-fA-F]{64}$/)
    .nullish()
    .catch(null),
})

const answerSchema = z.union([z.array(z.unknown()), z.looseObject({ jobs: z.array(z.unknown()) }).transform((body) => body.jobs)])

/**
 * AIPG `GET /v1/account/jobs` (key): per job whether the grid verified its signature and the hash of its
 * result (§16.6). Entries without a job id, or that do not fit, are skipped; the rest of the answer still counts.
 */
export async function fetchAccountJobs(access: GridAccess): Promise<AccountJobMark[]> {
  const entries = answerSchema.parse(await getGridJson(access, '/account/jobs'))
  return entries.flatMap((entry) => {
    const job = jobSchema.safeParse(entry)
    const jobId = job.success ? (job.data.job_id ?? job.data.id) : undefined
    if (!job.success || !jobId) return []
    return [{ jobId, signed: job.data.signed === true, resultHash: job.data.result_hash?.replace(/^0x/, '').toLowerCase() ?? null }]
  })
}
