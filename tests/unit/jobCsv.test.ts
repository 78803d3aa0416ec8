import { describe, expect, it } from 'vitest'
import { jobsCsv } from '../../src/renderer/src/features/earn/jobCsv.js'
import type { JobLogEntry } from '../../src/shared/domain.js'

const job = (jobId: string, network: JobLogEntry['network'] = 'aipg'): JobLogEntry => ({
  network,
  jobId,
  model: 'gpt-oss-20b',
  promptTokens: 12,
  completionTokens: 30,
  durationMs: 1500,
  tokensPerSecond: 20,
  reward: 4.8,
  state: 'ok',
  error: null,
  finishedAt: Date.UTC(2026, 11, 1, 9, 30),
})

const HASH = 'ab'.repeat(32)

describe('the job log CSV export', () => {
  it("keeps the ledger's columns in their order and adds the grid's word on the signature and the result hash", () => {
    const csv = jobsCsv(
      [job('signed-job'), job('unsigned-job'), job('unlisted-job'), job('signed-job', 'horde')],
      [
        { jobId: 'signed-job', signed: true, resultHash: HASH },
        { jobId: 'unsigned-job', signed: false, resultHash: null },
      ],
    )
    const [header, ...rows] = csv.split('\n')
    expect(header).toBe(
      'finishedAt,network,jobId,model,promptTokens,completionTokens,durationMs,tokensPerSecond,reward,state,signed,resultHash',
    )
    expect(rows).toEqual([
      `2026-12-01T09:30:00.000Z,aipg,signed-job,gpt-oss-20b,12,30,1500,20,4.8,ok,signed,${HASH}`,
      '2026-12-01T09:30:00.000Z,aipg,unsigned-job,gpt-oss-20b,12,30,1500,20,4.8,ok,unsigned,',
      // Not listed by the grid (yet), or a Horde job with the same id: unknown, never "unsigned" or "signed".
      '2026-12-01T09:30:00.000Z,aipg,unlisted-job,gpt-oss-20b,12,30,1500,20,4.8,ok,,',
      '2026-12-01T09:30:00.000Z,horde,signed-job,gpt-oss-20b,12,30,1500,20,4.8,ok,,',
    ])
  })

  it('without account marks (offline, the Horde) the two columns stay empty; formulas are defused', () => {
    const risky = { ...job('=cmd'), model: 'a,"b"' }
    expect(jobsCsv([risky], null).split('\n')[1]).toBe(`2026-12-01T09:30:00.000Z,aipg,'=cmd,"a,""b""",12,30,1500,20,4.8,ok,,`)
  })
})
