import { loadavg } from 'node:os'
import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import { LlamaRuntime, type CompletionLoop } from '../src/main/engine/llamaRuntime.js'
import type { GenerateRequest, GenerateResult } from '../src/shared/generation.js'
import { measureBare } from './bareReference.js'
import { runLlamaBench } from './llamaBench.js'
import { median, metric, type Metric } from './metrics.js'

/** Keeps a round's metric and logs it at once: on a busy machine the whole row can outlast a run's time limit. */
function record(metrics: Metric[], m: Metric): void {
  metrics.push(m)
  process.stderr.write(`bench: ${m.metric} ${m.value} (${m.note ?? ''})\n`)
}

/** Rounds of app, direct evaluate and llama-bench; each round's ratios come from one moment of a shared machine. */
const ROUNDS = Number(process.env.GRIDFORGE_BENCH_ROUNDS ?? 3)
const THREAD_COUNTS = [2, 1] as const
const KEY = 'single_stream.tinyllama_q8'

/** A grid job's shape: stop strings set, EOS honoured only by max_tokens (ignore_eos), prompt lookup on. */
function gridJob(maxTokens: number): GenerateRequest {
  return {
    kind: 'completion',
    prompt: 'Once upon a time',
    params: { maxTokens, temperature: 0, ignoreEos: true, stop: ['\nUser:', '</s>'] },
  }
}

/** Decode speed of one result: every token after the first, over the time after the first. */
function decodeTps(result: GenerateResult): number {
  return (result.completionTokens - 1) / ((result.durationMs - (result.firstTokenMs ?? 0)) / 1000)
}

/**
 * Issue 20 §4: single-stream generation through the worker's path (host → engine process → the lean
 * completion loop, the stop matcher, the batched stream back) against node-llama-cpp evaluating a
 * sequence directly in a plain process (bench/bareLoop.ts) and llama-bench's tg test, at 2 and 1
 * threads, alternating, with the load average of each round. Then the lean loop against LlamaCompletion
 * in one process, alternating, to show what the loop itself is worth.
 */
export async function singleStreamBench(
  engineEntry: string,
  bareLoopEntry: string,
  model: string,
  llamaBench: string,
  genTokens: number,
): Promise<Metric[]> {
  const metrics: Metric[] = []
  for (const threads of THREAD_COUNTS) {
    const engine = new EngineSupervisor({
      launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }),
      threads,
      sequences: 1,
    })
    const toReference: number[] = []
    const toDirect: number[] = []
    const directToReference: number[] = []
    try {
      await engine.load(model)
      await engine.generate(gridJob(8))
      for (let round = 0; round < ROUNDS; round++) {
        const load = loadavg()[0]!.toFixed(1)
        const app = decodeTps(await engine.generate(gridJob(genTokens)))
        const direct = (await measureBare(bareLoopEntry, model, threads, { genTokens, runs: 1 })).genTps
        const reference = (await runLlamaBench(llamaBench, { model, threads, promptTokens: 0, genTokens, repetitions: 1 })).genTps
        toReference.push(app / reference)
        toDirect.push(app / direct)
        directToReference.push(direct / reference)
        record(
          metrics,
          metric(
            `${KEY}.app_vs_llama_bench.t${threads}.round${round + 1}`,
            app / reference,
            'ratio',
            undefined,
            `app ${app.toFixed(1)}, direct evaluate ${direct.toFixed(1)}, llama-bench ${reference.toFixed(1)} tok/s, load ${load}`,
          ),
        )
      }
    } finally {
      await engine.close()
    }
    const rounds = `median of ${ROUNDS} rounds`
    metrics.push(
      metric(`${KEY}.app_vs_llama_bench.t${threads}`, median(toReference), 'ratio', threads === 2 ? '>= 0.95' : undefined, rounds),
    )
    metrics.push(metric(`${KEY}.app_vs_direct_evaluate.t${threads}`, median(toDirect), 'ratio', undefined, rounds))
    metrics.push(metric(`${KEY}.direct_evaluate_vs_llama_bench.t${threads}`, median(directToReference), 'ratio', undefined, rounds))
  }
  metrics.push(...(await loopBench(model, genTokens)))
  return metrics
}

/** The lean loop against LlamaCompletion on the same model and context size, in this process, at 2 threads. */
async function loopBench(model: string, genTokens: number): Promise<Metric[]> {
  const runtimes = new Map<CompletionLoop, LlamaRuntime>()
  const silent = { text() {}, reasoning() {}, toolCall() {}, progress() {} }
  const ratios: number[] = []
  const cpuRatios: number[] = []
  const metrics: Metric[] = []
  try {
    for (const loop of ['lean', 'library'] as const) {
      const runtime = await LlamaRuntime.create(false, true, loop)
      runtimes.set(loop, runtime)
      await runtime.load(model, 2, 1, () => {})
      await runtime.generate(gridJob(8), silent, new AbortController().signal)
    }
    // CPU time per token (every thread of this process: ggml's and JavaScript's) is steadier than speed on a busy machine.
    const speed = async (loop: CompletionLoop) => {
      const before = process.cpuUsage()
      const result = await runtimes.get(loop)!.generate(gridJob(genTokens), silent, new AbortController().signal)
      const used = process.cpuUsage(before)
      return { tps: decodeTps(result), cpuUs: (used.user + used.system) / result.completionTokens }
    }
    for (let round = 0; round < ROUNDS; round++) {
      const load = loadavg()[0]!.toFixed(1)
      const lean = await speed('lean')
      const library = await speed('library')
      ratios.push(lean.tps / library.tps)
      cpuRatios.push(lean.cpuUs / library.cpuUs)
      record(
        metrics,
        metric(
          `${KEY}.lean_vs_llama_completion.t2.round${round + 1}`,
          lean.tps / library.tps,
          'ratio',
          undefined,
          `lean ${lean.tps.toFixed(1)} vs LlamaCompletion ${library.tps.toFixed(1)} tok/s, ` +
            `CPU ${lean.cpuUs.toFixed(0)} vs ${library.cpuUs.toFixed(0)} µs/token, load ${load}`,
        ),
      )
    }
  } finally {
    for (const runtime of runtimes.values()) await runtime.unload()
  }
  metrics.push(
    metric(`${KEY}.lean_vs_llama_completion.t2`, median(ratios), 'ratio', undefined, `median of ${ROUNDS} rounds, in one process`),
  )
  return metrics
}
