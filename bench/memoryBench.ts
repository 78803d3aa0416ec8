import { readFileSync } from 'node:fs'
import { getLlama, GgufInsights, LlamaLogLevel, readGgufFileInfo } from 'node-llama-cpp'
import { kvBytesPerToken } from '../src/main/engine/contextSizing.js'
import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import { llamaBenchPeakRssMb } from './llamaBench.js'
import { metric, type Metric } from './metrics.js'
import { rssMb } from './resources.js'

const MB = 1024 * 1024
/** llama-bench's generation test runs in a context of its prompt plus generated tokens, padded to 256. */
const GEN_TOKENS = 16
/** The context of a worker that advertises the 1.1B model's whole trained context, where slots are compared. */
const SLOT_CONTEXT = 2048

/** Resident memory split into what is mapped from files (the model, the binaries) and anonymous memory, in MB. */
function residentSplit(pid: number | undefined): { file: number; anonymous: number } | null {
  if (pid === undefined) return null
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? Number.NaN) / 1024
    return { file: field('Rss') - field('Anonymous'), anonymous: field('Anonymous') }
  } catch {
    return null
  }
}

/**
 * Engine RSS after one short generation with the model loaded in a context of `sequences` sequences,
 * each sized for `contextSize` tokens, and the engine process's own RSS before any model.
 */
async function engineRss(engineEntry: string, model: string, threads: number, sequences: number, contextSize: number) {
  const engine = new EngineSupervisor({
    launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }),
    threads,
    sequences,
    contextSize,
  })
  try {
    await engine.start()
    const bare = rssMb(engine.processId())
    const loaded = await engine.load(model)
    const prompt = 'Once upon a time'
    await engine.generate({ kind: 'completion', prompt, params: { maxTokens: GEN_TOKENS, temperature: 0, ignoreEos: true } })
    return { bare, rss: rssMb(engine.processId()), split: residentSplit(engine.processId()), contextSize: loaded.contextSize }
  } finally {
    await engine.close()
  }
}

/**
 * Issue 20 §6: the engine's memory with the 1.1B-shaped model at one sequence sized for llama-bench's
 * generation test (both at context 256) against llama-bench's peak, split into the model's mapped file
 * and the rest; and what each extra slot's KV cache costs at a 2,048-token context: measured (one
 * sequence against four), computed from the model's shape, and as node-llama-cpp's GGUF insights
 * estimate it.
 */
export async function memoryBench(engineEntry: string, model: string, threads: number, llamaBench: string | null): Promise<Metric[]> {
  const metrics: Metric[] = []
  const sized = await engineRss(engineEntry, model, threads, 1, GEN_TOKENS)
  const one = await engineRss(engineEntry, model, threads, 1, SLOT_CONTEXT)
  const four = await engineRss(engineEntry, model, threads, 4, SLOT_CONTEXT)
  const split = sized.split ? `; mapped files ${sized.split.file.toFixed(0)} MB, anonymous ${sized.split.anonymous.toFixed(0)} MB` : ''
  metrics.push(metric('memory.tinyllama_q8.engine_rss.no_model', sized.bare, 'MB', undefined, 'the engine process before a load'))
  metrics.push(metric('memory.tinyllama_q8.engine_rss.seq1', sized.rss, 'MB', undefined, `context ${sized.contextSize}${split}`))
  metrics.push(metric(`memory.tinyllama_q8.engine_rss.seq1.ctx${SLOT_CONTEXT}`, one.rss, 'MB', undefined, `context ${one.contextSize}`))
  metrics.push(metric(`memory.tinyllama_q8.engine_rss.seq4.ctx${SLOT_CONTEXT}`, four.rss, 'MB', undefined, `context ${four.contextSize}`))
  if (one.rss !== null && four.rss !== null) {
    metrics.push(
      metric('memory.tinyllama_q8.kv_per_extra_slot.measured', (four.rss - one.rss) / 3, 'MB', undefined, 'RSS, 4 sequences vs 1'),
    )
  }
  const fileInfo = await readGgufFileInfo(model)
  metrics.push(
    metric(
      'memory.tinyllama_q8.kv_per_extra_slot.computed',
      (kvBytesPerToken(fileInfo) * one.contextSize) / MB,
      'MB',
      undefined,
      'layers × KV heads × (key + value dims) × 2 bytes × context',
    ),
  )
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error })
  const insights = await GgufInsights.from(fileInfo, llama)
  const deprecated = (sequences: number) =>
    insights.estimateContextResourceRequirements({ contextSize: one.contextSize, sequences, modelGpuLayers: 0 }).cpuRam
  const simulated = async (sequences: number) =>
    (await insights.estimateContextResourceRequirementsV2({ contextSize: one.contextSize, sequences, modelGpuLayers: 0 })).cpuRam
  metrics.push(
    metric(
      'memory.tinyllama_q8.kv_per_extra_slot.estimated_v1',
      (deprecated(2) - deprecated(1)) / MB,
      'MB',
      undefined,
      'GGUF insights v1: charges the attention scratch (batch × context × heads × 4 B) again per sequence',
    ),
  )
  metrics.push(
    metric(
      'memory.tinyllama_q8.kv_per_extra_slot.estimated',
      ((await simulated(2)) - (await simulated(1))) / MB,
      'MB',
      undefined,
      'GGUF insights v2 (what node-llama-cpp sizes contexts with)',
    ),
  )
  if (llamaBench) {
    const reference = await llamaBenchPeakRssMb(llamaBench, { model, threads, genTokens: GEN_TOKENS })
    metrics.push(metric('reference.tinyllama_q8.llama_bench.peak_rss', reference, 'MB', undefined, 'tg16: context 256'))
    const over = sized.rss !== null && reference !== null ? sized.rss - reference : null
    metrics.push(metric('memory.tinyllama_q8.rss_over_llama_bench.seq1', over, 'MB', '<= 100', `both at context ${sized.contextSize}`))
  }
  return metrics
}
