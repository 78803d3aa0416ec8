import { EngineSupervisor } from '../engine/engineSupervisor.js'
import { forkLauncher } from '../engine/forkLauncher.js'
import { dataPaths } from '../host/dataDir.js'
import { advertisedLimits } from '../../grid/advertisedLimits.js'
import { formatReadinessTable } from '../../worker/readiness/reportTable.js'
import { runReadiness } from '../../worker/readiness/runner.js'
import { resolveModelArgument } from './modelArgument.js'
import { positiveInt } from './options.js'
import { UsageError } from './usage.js'
import type { WorkerOptions } from './workerCommand.js'

/**
 * `gridforge worker --self-test`: loads the model as the worker does, runs the validators' canary families
 * against it with the limits the worker would advertise, prints the table and sets exit code 1 when the
 * model is not ready. It never connects to a grid, so it needs no key or name.
 */
export async function workerSelfTest(options: WorkerOptions): Promise<void> {
  const modelPath = resolveModelArgument(options.model, dataPaths(options.dataDir).models)
  const slots = positiveInt(options.slots, 'slots', 1)
  const seed = options.seed === undefined ? undefined : parseSeed(options.seed)
  const maxContext = positiveInt(options['max-context'], 'max-context', null)
  const engine = new EngineSupervisor({
    launch: forkLauncher(options.engineEntry),
    threads: positiveInt(options.threads, 'threads', null),
    sequences: slots,
    contextSize: maxContext,
  })
  try {
    const model = await engine.load(modelPath)
    const limits = advertisedLimits(
      {
        maxLength: positiveInt(options['max-length'], 'max-length', null),
        maxContextLength: maxContext,
      },
      model.contextSize,
    )
    process.stderr.write(
      `Grid readiness self-test of ${model.fileName} (context ${limits.maxContextLength}, max ${limits.maxLength} tokens); no grid is contacted.\n`,
    )
    const report = await runReadiness({
      engine,
      limits,
      seed,
      onResult: (result, done, total) => process.stderr.write(`[${done}/${total}] ${result.family}: ${result.verdict}\n`),
    })
    process.stdout.write(`${formatReadinessTable(report)}\n`)
    if (!report.ready) process.exitCode = 1
  } finally {
    await engine.close()
  }
}

export function parseSeed(value: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0xffffffff) throw new UsageError('--seed must be an integer from 0 to 4294967295.')
  return Number(value)
}
