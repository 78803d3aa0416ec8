import { getLlama, GgufInsights, LlamaLogLevel, readGgufFileInfo } from 'node-llama-cpp'
import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import { llamaBenchPeakRssMb } from './llamaBench.js'
import { metric, type Metric } from './metrics.js'
import { rssMb } from './resources.js'

const MB = 1024 * 1024

/** Engine RSS after one short generation with the model loaded in a context of `sequences` sequences. */
async function engineRss(engineEntry: string, model: string, threads: number, sequences: number) {
  const engine = new EngineSupervisor({ launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }), threads, sequences })
  try {
    const loaded = await engine.load(model)
    await engine.generate({ kind: 'completion', prompt: 'Once upon a time', params: { maxTokens: 16, temperature: 0, ignoreEos: true } })
    return { rss: rssMb(engine.processId()), contextSize: loaded.contextSize }
  } finally {
    await engine.close()
  }
}

/**
 * Issue 20 §6: the engine's memory with the 1.1B-shaped model at one sequence against llama-bench's
 * peak, and what each extra slot's KV cache costs, measured (one sequence against four) and as
 * node-llama-cpp's GGUF insights estimate it for the context size the app chose.
 */
export async function memoryBench(engineEntry: string, model: string, threads: number, llamaBench: string | null): Promise<Metric[]> {
  const metrics: Metric[] = []
  const one = await engineRss(engineEntry, model, threads, 1)
  const four = await engineRss(engineEntry, model, threads, 4)
  metrics.push(metric('memory.tinyllama_q8.engine_rss.seq1', one.rss, 'MB', undefined, `context ${one.contextSize} per sequence`))
  metrics.push(metric('memory.tinyllama_q8.engine_rss.seq4', four.rss, 'MB'))
  if (one.rss !== null && four.rss !== null) {
    metrics.push(metric('memory.tinyllama_q8.kv_per_extra_slot.measured', (four.rss - one.rss) / 3, 'MB'))
  }
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error })
  const insights = await GgufInsights.from(await readGgufFileInfo(model), llama)
  const estimate = (sequences: number) =>
    insights.estimateContextResourceRequirements({ contextSize: one.contextSize, sequences, modelGpuLayers: 0 }).cpuRam
  metrics.push(
    metric('memory.tinyllama_q8.kv_per_extra_slot.estimated', (estimate(2) - estimate(1)) / MB, 'MB', undefined, 'GGUF insights'),
  )
  if (llamaBench) {
    const reference = await llamaBenchPeakRssMb(llamaBench, { model, threads, genTokens: 16 })
    metrics.push(metric('reference.tinyllama_q8.llama_bench.peak_rss', reference, 'MB'))
    const over = one.rss !== null && reference !== null ? one.rss - reference : null
    metrics.push(metric('memory.tinyllama_q8.rss_over_llama_bench.seq1', over, 'MB', '<= 100'))
  }
  return metrics
}
