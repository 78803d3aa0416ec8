import { loadavg } from 'node:os'
import { EngineSupervisor } from '../src/main/engine/engineSupervisor.js'
import { forkLauncher } from '../src/main/engine/forkLauncher.js'
import type { GenerateRequest, GenerateResult } from '../src/shared/generation.js'
import { median, metric, type Metric } from './metrics.js'

/** Alternating rounds of the engine with and without drafting, so both see the same machine. */
const ROUNDS = Number(process.env.GRIDFORGE_BENCH_ROUNDS ?? 3)

function engine(engineEntry: string, threads: number, lookup: boolean, draft: string | null = null): EngineSupervisor {
  const env = { ...process.env, GRIDFORGE_GPU: 'off', GRIDFORGE_PROMPT_LOOKUP: lookup ? 'on' : 'off' }
  return new EngineSupervisor({ launch: forkLauncher(engineEntry, env), threads, sequences: 1, draftFor: async () => draft })
}

function decodeTps(result: GenerateResult): number {
  return (result.completionTokens - 1) / ((result.durationMs - (result.firstTokenMs ?? 0)) / 1000)
}

function load(): string {
  return loadavg()[0]!.toFixed(1)
}

/**
 * The repetitive prompt is a text the model wrote, given back twice and started again (what an echo or
 * "repeat this JSON" validator sends), built from the model's own greedy output so that any model,
 * random weights included, has something true to look up; the free prompt is the story's opening.
 */
async function prompts(plain: EngineSupervisor, genTokens: number): Promise<Record<'repetitive' | 'free', string>> {
  const own = await plain.generate({ kind: 'completion', prompt: 'Once upon a time', params: { maxTokens: genTokens, temperature: 0 } })
  const story = `Once upon a time${own.text}`
  return { repetitive: `${story}\n\n${story}\n\nOnce upon a time`, free: 'Once upon a time' }
}

/**
 * Round by round, the drafting engine then the plain one on the same request; tokens/s of each (median),
 * the drafts' acceptance over all rounds, and the median of the rounds' ratios against `target`.
 */
async function compare(
  name: string,
  label: string,
  drafting: EngineSupervisor,
  plain: EngineSupervisor,
  request: (round: number) => GenerateRequest,
  target: string,
): Promise<Metric[]> {
  const on: number[] = []
  const off: number[] = []
  const ratios: number[] = []
  const loads: string[] = []
  let drafted = 0
  let accepted = 0
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(load())
    const withDrafts = await drafting.generate(request(round))
    on.push(decodeTps(withDrafts))
    drafted += withDrafts.prediction?.drafted ?? 0
    accepted += withDrafts.prediction?.accepted ?? 0
    off.push(decodeTps(await plain.generate(request(round))))
    ratios.push(on.at(-1)! / off.at(-1)!)
  }
  const note = `median of ${ROUNDS} alternating rounds, load ${loads.join('/')}`
  return [
    metric(`${name}.generate_tps.${label}`, median(on), 'tok/s', undefined, note),
    metric(`${name}.generate_tps.plain`, median(off), 'tok/s'),
    metric(
      `${name}.${label}_accepted_rate`,
      drafted === 0 ? 0 : accepted / drafted,
      'ratio',
      undefined,
      `${accepted} of ${drafted} drafts`,
    ),
    metric(
      `${name}.${label}_vs_plain`,
      median(ratios),
      'ratio',
      target,
      `median of the rounds' ratios: ${ratios.map((r) => r.toFixed(2)).join(', ')}`,
    ),
  ]
}

/**
 * Issue 20 §3: generation through the engine process with prompt lookup and without, on a repetitive
 * and a free prompt (completions, as grid jobs send them).
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
    for (const [name, prompt] of Object.entries(await prompts(plain, genTokens))) {
      // Never slower: within the noise of a shared machine on the free prompt, faster on the repetitive one.
      const target = name === 'free' ? '>= 0.97' : '>= 1.1'
      const request = (): GenerateRequest => ({ kind: 'completion', prompt, params })
      metrics.push(...(await compare(`prediction.${key}.${name}`, 'lookup', drafting, plain, request, target)))
    }
  } finally {
    await Promise.all([drafting.close(), plain.close()])
  }
  return metrics
}

/**
 * Issue 20 §3: a local chat drafted by `draft` (a smaller model of the same tokenizer) against the same
 * chat without drafting, on the repetitive and the free prompt. Each round is a new conversation, so no
 * round reuses another's cache. `pays`: the pair is one where drafting should pay (a bandwidth-bound
 * target, a cheap draft that agrees with it); otherwise the gate's job is only to make it never slower.
 */
export async function draftBench(
  engineEntry: string,
  key: string,
  pair: { target: string; draft: string },
  threads: number,
  genTokens: number,
  pays: boolean,
): Promise<Metric[]> {
  const drafting = engine(engineEntry, threads, true, pair.draft)
  const plain = engine(engineEntry, threads, false)
  const metrics: Metric[] = []
  try {
    const loaded = await drafting.load(pair.target)
    await plain.load(pair.target)
    if (!loaded.draft) throw new Error(`the draft model was not used: ${loaded.draftNote ?? 'no reason given'}`)
    const params = { maxTokens: genTokens, temperature: 0 }
    for (const [name, prompt] of Object.entries(await prompts(plain, genTokens))) {
      const target = name === 'free' || !pays ? '>= 0.97' : '>= 1.1'
      const request = (round: number): GenerateRequest => ({
        kind: 'chat',
        conversationId: `${name}-${round}`,
        turns: [{ role: 'user', content: prompt }],
        params,
      })
      metrics.push(...(await compare(`speculative.${key}.${name}`, 'draft', drafting, plain, request, target)))
    }
  } finally {
    await Promise.all([drafting.close(), plain.close()])
  }
  return metrics
}
