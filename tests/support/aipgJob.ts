import { createWorker, type WorkerExit } from '../../src/worker/jobLoop.js'
import type { GenerationEngine, JobRecord } from '../../src/worker/ports.js'
import { startDevGrid, type DevGrid } from './devGrid/index.js'
import type { AipgResult } from './devGrid/types.js'

/** What the dev grid and the worker were left with after one AIPG job. */
export interface AipgJobRun {
  id: string
  result: AipgResult
  ledger: JobRecord[]
  /** The workers the grid struck, how many of them. */
  strikes: number
  /** The grid's AIPG side as the job left it: every frame, the strikes per worker. */
  aipg: DevGrid['aipg']
  exit: WorkerExit
}

/**
 * One AIPG job, an OpenAI chat body as a client sends it, served by `engine` through the worker on the
 * real dev grid socket (frames exactly as grid-protocol.md §16.3), the worker's longest reply and context set by
 * `limits`. Returns what the grid received.
 */
export async function runAipgJob(
  engine: GenerationEngine,
  request: Record<string, unknown>,
  limits = { maxLength: 256, maxContextLength: 4096 },
): Promise<AipgJobRun> {
  const grid = await startDevGrid({ mode: 'aipg' })
  try {
    const id = grid.enqueueAipg({ request })
    const ledger: JobRecord[] = []
    const worker = createWorker(
      {
        network: 'aipg',
        gridUrl: grid.url,
        apiKey: 'dev-key-alice',
        name: `job-${Math.random().toString(36).slice(2, 8)}`,
        models: ['grid/test-model'],
        slots: 1,
        ...limits,
        maxJobs: 1,
        agent: 'GridForge:0.0.0-test:https://aipowergrid.io',
      },
      { engine, ledger: { record: (job) => ledger.push(job) } },
    )
    const exit = await worker.run()
    return { id, result: grid.aipg.results.get(id)!, ledger, strikes: grid.aipg.strikes.size, aipg: grid.aipg, exit }
  } finally {
    await grid.close()
  }
}
