import { createWorker } from '../../src/worker/jobLoop.js'
import type { GenerationEngine, JobRecord } from '../../src/worker/ports.js'
import { startDevGrid } from './devGrid/index.js'
import type { AipgResult } from './devGrid/types.js'

/**
 * One AIPG job, an OpenAI chat body as a client sends it, served by `engine` through the worker on the
 * real dev grid socket (frames exactly as grid-protocol.md §16.3). Returns what the grid received.
 */
export async function runAipgJob(
  engine: GenerationEngine,
  request: Record<string, unknown>,
): Promise<{ result: AipgResult; ledger: JobRecord[]; strikes: number }> {
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
        maxLength: 256,
        maxContextLength: 4096,
        maxJobs: 1,
        agent: 'GridForge:0.0.0-test:https://aipowergrid.io',
      },
      { engine, ledger: { record: (job) => ledger.push(job) } },
    )
    await worker.run()
    return { result: grid.aipg.results.get(id)!, ledger, strikes: grid.aipg.strikes.size }
  } finally {
    await grid.close()
  }
}
