import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import { median } from './metrics.js'
import { rssMb } from './resources.js'

/** Throughput of the app's own path: host → engine process → node-llama-cpp, and back. */
export interface AppRun {
  threads: number
  /** Tokens generated per timed run (fewer than asked when the setting is very slow). */
  genTokens: number
  /** Prompt length in the model's own tokens (the reference must process the same number). */
  promptTokens: number
  genTps: number
  promptTps: number
  engineRssMb: number | null
}

const RUN_SECONDS = 4

/** A prompt of roughly `tokens` tokens for prompt-processing measurements. */
function longPrompt(tokens: number): string {
  const words = ['the', 'little', 'dog', 'ran', 'to', 'a', 'big', 'tree', 'and', 'saw', 'bird', 'sing']
  return Array.from({ length: tokens }, (_, i) => words[i % words.length]).join(' ')
}

/**
 * Loads `model` in a fresh engine process with `threads` (null = the app's own choice) and measures
 * generation (after the first token) and prompt processing, median of `runs` after one warm-up.
 */
export async function measureApp(
  engineEntry: string,
  model: string,
  threads: number | null,
  options: { genTokens: number; promptTokens: number; runs: number; sequences?: number; env?: NodeJS.ProcessEnv },
): Promise<AppRun> {
  const engine = new EngineSupervisor({
    launch: forkLauncher(engineEntry, { ...process.env, ...options.env, GRIDFORGE_GPU: 'off' }),
    threads,
    sequences: options.sequences,
  })
  try {
    const loaded = await engine.load(model)
    const gen = {
      kind: 'completion' as const,
      prompt: 'Once upon a time',
      params: { maxTokens: options.genTokens, temperature: 0, ignoreEos: true },
    }
    const prompt = { kind: 'completion', prompt: longPrompt(options.promptTokens), params: { maxTokens: 1, temperature: 0 } } as const
    const warmup = await engine.generate({ ...gen, params: { ...gen.params, maxTokens: 16 } })
    // A pathological setting (too many threads for a tiny graph runs ~200x slower) must not stall the
    // bench for minutes: cap each run at about RUN_SECONDS of generation.
    const warmupTps = warmup.completionTokens / (warmup.durationMs / 1000)
    gen.params.maxTokens = Math.max(16, Math.min(options.genTokens, Math.round(warmupTps * RUN_SECONDS)))
    const genTps: number[] = []
    const promptTps: number[] = []
    let promptLength = 0
    for (let run = 0; run < options.runs; run++) {
      const g = await engine.generate(gen)
      genTps.push((g.completionTokens - 1) / ((g.durationMs - (g.firstTokenMs ?? 0)) / 1000))
      const p = await engine.generate(prompt)
      promptLength = p.promptTokens
      promptTps.push(p.promptTokens / ((p.firstTokenMs ?? p.durationMs) / 1000))
    }
    return {
      threads: loaded.threads,
      genTokens: gen.params.maxTokens,
      promptTokens: promptLength,
      genTps: median(genTps),
      promptTps: median(promptTps),
      engineRssMb: rssMb(engine.processId()),
    }
  } finally {
    await engine.close()
  }
}
