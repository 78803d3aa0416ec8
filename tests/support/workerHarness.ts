import { EngineSupervisor } from '../../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../../src/main/engine/forkLauncher.js'
import { openDatabase } from '../../src/main/store/database.js'
import { JobsRepository } from '../../src/main/store/jobsRepository.js'
import { createWorker, type WorkerConfig, type WorkerEvent, type WorkerExit, type WorkerPorts } from '../../src/worker/jobLoop.js'
import { engineEntry, tempDataDir } from './paths.js'
import type { DevGrid } from './devGrid/index.js'

/** The real engine on the tiny model and a real SQLite ledger, shared by the worker tests of a file. */
export async function workerFixture(sequences = 4) {
  const temp = tempDataDir()
  const engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }), sequences })
  await engine.load(temp.model)
  const db = openDatabase(`${temp.dir}/gridforge.db`)
  const ledger = new JobsRepository(db)
  return {
    engine,
    ledger,
    async close() {
      await engine.close()
      db.close()
      temp.cleanup()
    },
  }
}

/** Starts a worker against the dev grid; `exit` resolves when it stops. `ports` replace the fixture's (a fake clock). */
export function startWorker(
  fixture: Awaited<ReturnType<typeof workerFixture>>,
  grid: DevGrid,
  config: Partial<WorkerConfig> & Pick<WorkerConfig, 'network'>,
  ports: Partial<WorkerPorts> = {},
) {
  const worker = createWorker(
    {
      gridUrl: grid.url,
      apiKey: 'dev-key-alice',
      name: `test-${config.network}-${Math.random().toString(36).slice(2, 8)}`,
      models: [config.network === 'aipg' ? 'grid/stories260K' : 'koboldcpp/stories260K'],
      slots: 1,
      maxLength: 256,
      maxContextLength: 1024,
      agent: 'GridForge:0.0.0-test:https://aipowergrid.io',
      idlePollMs: 100,
      graceMs: 5000,
      ...config,
    },
    { engine: fixture.engine, ledger: fixture.ledger, ...ports },
  )
  const events: WorkerEvent[] = []
  worker.subscribe((event) => events.push(event))
  const exit: Promise<WorkerExit> = worker.run()
  return { worker, events, exit }
}
