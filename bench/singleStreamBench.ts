import { loadavg } from 'node:os'
import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import { runLlamaBench } from './llamaBench.js'
import { median, metric, type Metric } from './metrics.js'

/** Rounds of app then llama-bench; each round's ratio comes from one moment of a shared machine. */
const ROUNDS = Number(process.env.GRIDFORGE_BENCH_ROUNDS ?? 3)
const THREADS = 2

/**
 * Issue 20 §4: single-stream generation through the app's path (host → engine process → LlamaCompletion,
 * the stop matcher and the batched stream back) against llama-bench's tg test, both at 2 threads,
 * alternating, with the load average of each round. A grid job's shape: stop strings set, EOS honoured
 * only by max_tokens (ignore_eos), prompt lookup on (the free prompt gives it nothing to draft).
 */
export async function singleStreamBench(engineEntry: string, model: string, llamaBench: string, genTokens: number): Promise<Metric[]> {
  const engine = new EngineSupervisor({
    launch: forkLauncher(engineEntry, { ...process.env, GRIDFORGE_GPU: 'off' }),
    threads: THREADS,
    sequences: 1,
  })
  const metrics: Metric[] = []
  try {
    await engine.load(model)
    const request = {
      kind: 'completion' as const,
      prompt: 'Once upon a time',
      params: { maxTokens: genTokens, temperature: 0, ignoreEos: true, stop: ['\nUser:', '</s>'] },
    }
    await engine.generate({ ...request, params: { ...request.params, maxTokens: 8 } })
    const ratios: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const load = loadavg()[0]!.toFixed(1)
      const result = await engine.generate(request)
      const app = (result.completionTokens - 1) / ((result.durationMs - (result.firstTokenMs ?? 0)) / 1000)
      const reference = await runLlamaBench(llamaBench, { model, threads: THREADS, promptTokens: 0, genTokens, repetitions: 1 })
      ratios.push(app / reference.genTps)
      metrics.push(
        metric(
          `single_stream.tinyllama_q8.app_vs_llama_bench.t${THREADS}.round${round + 1}`,
          app / reference.genTps,
          'ratio',
          undefined,
          `app ${app.toFixed(1)} vs llama-bench ${reference.genTps.toFixed(1)} tok/s, load ${load}`,
        ),
      )
    }
    metrics.push(
      metric(`single_stream.tinyllama_q8.app_vs_llama_bench.t${THREADS}`, median(ratios), 'ratio', '>= 0.95', `median of ${ROUNDS} rounds`),
    )
  } finally {
    await engine.close()
  }
  return metrics
}
