import { loadavg } from 'node:os'
import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import type { GenerateResult } from '../src/shared/generation.js'
import { median, metric, type Metric } from './metrics.js'

/** Alternating rounds of the engine with and without prompt lookup, so both see the same machine. */
const ROUNDS = Number(process.env.GRIDFORGE_BENCH_ROUNDS ?? 3)

function engine(engineEntry: string, threads: number, lookup: boolean): EngineSupervisor {
  const env = { ...process.env, GRIDFORGE_GPU: 'off', GRIDFORGE_PROMPT_LOOKUP: lookup ? 'on' : 'off' }
  return new EngineSupervisor({ launch: forkLauncher(engineEntry, env), threads, sequences: 1 })
}

function decodeTps(result: GenerateResult): number {
  return (result.completionTokens - 1) / ((result.durationMs - (result.firstTokenMs ?? 0)) / 1000)
}

/**
 * Issue 20 §3: generation through the engine process with prompt lookup and without, on a repetitive
 * prompt (a text the model wrote, given back twice and started again: what an echo or "repeat this JSON"
 * validator sends) and on a free prompt. The repetitive prompt is built from the model's own greedy
 * output so that any model, random weights included, has something true to look up.
 */
export async function predictionBench(
  engineEntry: string,
  key: string,
  model: string,
  threads: number,
  genTokens: number,
): Promise<Metric[]> {
  const drafting = engine(engineEntry, threads, true)
  const plain = engine(engineEntry, threads, false)
  const metrics: Metric[] = []
  try {
    await drafting.load(model)
    await plain.load(model)
    const params = { maxTokens: genTokens, temperature: 0 }
    const own = await plain.generate({ kind: 'completion', prompt: 'Once upon a time', params })
    const story = `Once upon a time${own.text}`
    const prompts = { repetitive: `${story}\n\n${story}\n\nOnce upon a time`, free: 'Once upon a time' }
    const load = loadavg()[0]!.toFixed(1)
    for (const [name, prompt] of Object.entries(prompts)) {
      const request = { kind: 'completion' as const, prompt, params }
      const on: number[] = []
      const off: number[] = []
      const ratios: number[] = []
      let drafted = 0
      let accepted = 0
      for (let round = 0; round < ROUNDS; round++) {
        const withLookup = await drafting.generate(request)
        on.push(decodeTps(withLookup))
        drafted += withLookup.prediction?.drafted ?? 0
        accepted += withLookup.prediction?.accepted ?? 0
        off.push(decodeTps(await plain.generate(request)))
        ratios.push(on.at(-1)! / off.at(-1)!)
      }
      const note = `median of ${ROUNDS} alternating rounds, load ${load}`
      metrics.push(metric(`prediction.${key}.${name}.generate_tps.lookup`, median(on), 'tok/s', undefined, note))
      metrics.push(metric(`prediction.${key}.${name}.generate_tps.plain`, median(off), 'tok/s'))
      metrics.push(
        metric(
          `prediction.${key}.${name}.accepted_rate`,
          drafted === 0 ? 0 : accepted / drafted,
          'ratio',
          undefined,
          `${accepted} of ${drafted} drafts`,
        ),
      )
      // Never slower: within the noise of a shared machine on the free prompt, faster on the repetitive one.
      const target = name === 'free' ? '>= 0.97' : '>= 1.1'
      metrics.push(metric(`prediction.${key}.${name}.lookup_vs_plain`, median(ratios), 'ratio', target, "median of the rounds' ratios"))
    }
  } finally {
    await Promise.all([drafting.close(), plain.close()])
  }
  return metrics
}
