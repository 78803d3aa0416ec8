import { existsSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { measureApp, type AppRun } from './appEngine.js'
import { apiBench } from './apiBench.js'
import { batchedBench } from './batchedBench.js'
import { bridgeBench } from './bridgeBench.js'
import { chatImportBench } from './chatImportBench.js'
import { chatStoreBench } from './chatStoreBench.js'
import { chatRenderBench } from './chatRenderBench.js'
import { downloadBench } from './downloadBench.js'
import { engineBuildBench } from './engineBuildBench.js'
import { chatTurnBench } from './chatTurnBench.js'
import { grammarBench } from './grammarBench.js'
import { measureBare } from './bareReference.js'
import { ensureLlamaBench, llamaBenchPeakRssMb, runLlamaBench } from './llamaBench.js'
import { median, metric, table, type Metric } from './metrics.js'
import { draftBench, predictionBench } from './predictionBench.js'
import { measureServeStartup } from './serveStartup.js'
import { memoryBench } from './memoryBench.js'
import { singleStreamBench } from './singleStreamBench.js'
import { ensureSpeculativePair, ensureTinyLlamaShapedGguf } from './syntheticGguf.js'
import { workerBench } from './workerBench.js'

/** Options of `gridforge bench`. */
export interface BenchOptions {
  json?: boolean
  reference?: boolean
  quick?: boolean
  model?: string
  root: string
  engineEntry: string
  bareLoopEntry: string
}

const TINY = { genTokens: 256, promptTokens: 128, runs: 7 }
// The 1.1B-shaped Q8_0 model decodes at ~20 tok/s on 2 cores: 64 tokens keep each run to a few seconds.
const REALISTIC = { genTokens: 64, promptTokens: 128, runs: 5 }

const BARE_ROUNDS = 5

const log = (line: string) => process.stderr.write(`bench: ${line}\n`)

/**
 * The benchmark harness: engine speed against a bare node-llama-cpp loop and llama.cpp's own
 * llama-bench, thread choice against the best measured, start-up time and memory.
 */
export async function benchCommand(options: BenchOptions): Promise<void> {
  const { root } = options
  const cliEntry = join(root, 'bin', 'gridforge.js')
  const tiny = options.model ?? join(root, 'tests', 'fixtures', 'models', 'stories260K.gguf')
  if (!existsSync(tiny)) throw new Error(`No model at ${tiny}; pass --model PATH.`)
  const cache = process.env.GRIDFORGE_BENCH_CACHE ?? join(tmpdir(), 'gridforge-bench-cache')
  const threadCounts = [...new Set([1, 2, availableParallelism()])]
  const metrics: Metric[] = []
  const emit = (m: Metric) => {
    metrics.push(m)
    if (options.json) process.stdout.write(`${JSON.stringify(m)}\n`)
  }

  log('serve cold start')
  const startup = await measureServeStartup(cliEntry)
  emit(metric('serve.cold_start_to_http_200', startup.coldStartMs, 'ms'))
  emit(metric('serve.host_rss.idle', startup.hostRssMb, 'MB'))
  emit(metric('serve.engine_rss.idle', startup.engineRssMb, 'MB'))

  const llamaTools = options.reference ? await ensureLlamaBench(join(cache, 'llama-bench')) : null
  const llamaBench = llamaTools?.bench ?? null

  const models: Array<{ key: string; path: string; shape: typeof TINY }> = [{ key: 'tiny', path: tiny, shape: TINY }]
  if (!options.quick) {
    log('realistic model: writing the TinyLlama-shaped Q8_0 GGUF once (cached)')
    models.push({ key: 'tinyllama_q8', path: await ensureTinyLlamaShapedGguf(join(cache, 'models')), shape: REALISTIC })
  }

  for (const { key, path, shape } of models) {
    log(`${key}: app path with the app's own thread choice, then at threads ${threadCounts.join(', ')}`)
    const chosen = await measureApp(options.engineEntry, path, null, shape)
    const runs: AppRun[] = [chosen]
    for (const threads of threadCounts) {
      const run = threads === chosen.threads ? chosen : await measureApp(options.engineEntry, path, threads, shape)
      if (run !== chosen) runs.push(run)
      const note = run.genTokens < shape.genTokens ? `${run.genTokens} tokens per run (slow setting)` : undefined
      emit(metric(`engine.${key}.generate_tps.t${threads}`, run.genTps, 'tok/s', undefined, note))
      emit(metric(`engine.${key}.prompt_tps.t${threads}`, run.promptTps, 'tok/s'))
    }
    emit(metric(`engine.${key}.default_threads`, chosen.threads, 'threads'))
    emit(metric(`engine.${key}.engine_rss.loaded`, chosen.engineRssMb, 'MB'))
    const best = Math.max(...runs.map((r) => r.genTps))
    emit(metric(`engine.${key}.default_threads_vs_best`, chosen.genTps / best, 'ratio', '>= 0.9'))

    if (key === 'tiny') {
      // Runs of 0.2 s on a shared 2-core machine are noisy: alternate app and bare rounds, take the median.
      log('tiny: bare node-llama-cpp loop in a plain process at the same threads, alternating with the app')
      const ratios: number[] = []
      for (let round = 0; round < BARE_ROUNDS; round++) {
        const app = round === 0 ? chosen : await measureApp(options.engineEntry, path, chosen.threads, shape)
        const bare = await measureBare(options.bareLoopEntry, path, chosen.threads, shape)
        ratios.push(app.genTps / bare.genTps)
      }
      emit(metric(`engine.generate.app_vs_bare.t${chosen.threads}`, median(ratios), 'ratio', '>= 0.95', `median of ${BARE_ROUNDS} rounds`))
    }

    if (llamaBench) {
      log(`${key}: llama-bench at ${chosen.threads} threads`)
      const reference = await runLlamaBench(llamaBench, {
        model: path,
        threads: chosen.threads,
        // The app's prompt text tokenizes differently per vocabulary: compare the same token count.
        promptTokens: chosen.promptTokens || shape.promptTokens,
        genTokens: shape.genTokens,
        repetitions: shape.runs,
      })
      emit(metric(`reference.${key}.llama_bench.generate_tps`, reference.genTps, 'tok/s'))
      emit(metric(`reference.${key}.llama_bench.prompt_tps`, reference.promptTps, 'tok/s'))
      if (key === 'tiny') {
        const overheadMs = (1 / chosen.genTps - 1 / reference.genTps) * 1000
        emit(metric('engine.tiny.per_token_overhead_vs_llama', overheadMs, 'ms', '<= 0.6'))
      } else {
        const atChosen = runs.find((r) => r.threads === chosen.threads) ?? chosen
        emit(metric(`engine.${key}.generate_vs_llama_bench`, chosen.genTps / reference.genTps, 'ratio', '>= 0.90'))
        emit(metric(`engine.${key}.prompt_vs_llama_bench`, atChosen.promptTps / reference.promptTps, 'ratio', '>= 0.95'))
        const referenceRss = await llamaBenchPeakRssMb(llamaBench, { model: path, threads: chosen.threads, genTokens: 16 })
        const over = chosen.engineRssMb !== null && referenceRss !== null ? chosen.engineRssMb - referenceRss : null
        emit(metric(`engine.${key}.rss_over_llama_bench`, over, 'MB', '<= 200'))
      }
    }

    log(`${key}: prompt lookup on a repetitive and a free prompt, with and without, alternating`)
    for (const m of await predictionBench(options.engineEntry, key, path, chosen.threads, shape.genTokens)) emit(m)
    log(`${key}: a draft model for chat, with and without, alternating`)
    const pair = key === 'tiny' ? { target: path, draft: path } : await ensureSpeculativePair(join(cache, 'models'))
    for (const m of await draftBench(options.engineEntry, key, pair, chosen.threads, shape.genTokens, key !== 'tiny')) emit(m)

    if (key === 'tinyllama_q8' && llamaBench) {
      log(`${key}: single stream through the worker path against direct evaluate and llama-bench at 2 and 1 threads, alternating`)
      for (const m of await singleStreamBench(options.engineEntry, options.bareLoopEntry, path, llamaBench, shape.genTokens)) emit(m)
    }

    if (key === 'tinyllama_q8') {
      log(
        `${key}: worker aggregate with 1, 2 and 4 slots against llama-batched-bench at ${chosen.threads} threads, then the calibrated count`,
      )
      for (const m of await batchedBench(options.engineEntry, path, chosen.threads, llamaTools?.batchedBench ?? null)) emit(m)
      for (const m of await memoryBench(options.engineEntry, path, chosen.threads, llamaBench)) emit(m)
    }

    if (key === 'tinyllama_q8' && options.reference) {
      log(`${key}: the prebuilt engine against the one built for this PC (OpenMP, native CPU flags) and llama-bench`)
      for (const m of await engineBuildBench(options.engineEntry, path, chosen.threads, join(cache, 'engine-build'), llamaBench)) emit(m)
    }
  }

  log('local API: streamed completions against the engine directly, then 1, 2 and 4 clients')
  for (const m of await apiBench(options.engineEntry, tiny)) emit(m)

  log('worker: jobs through the dev grid on loopback (both networks)')
  for (const m of await workerBench(options.engineEntry, tiny, { quick: options.quick ?? false })) emit(m)

  log('bridge: a streamed completion through the bridge against the same server called directly')
  for (const m of await bridgeBench(tiny, options.reference ?? false)) emit(m)

  log('model download: the app downloader against a plain stream copy over loopback')
  for (const m of await downloadBench(cache)) emit(m)
  log('local chat: time to first token of a late turn, with the conversation cache and afresh')
  for (const m of await chatTurnBench(options.engineEntry, tiny)) emit(m)

  log('grammars: a forced tool call and a json_schema reply against free text; a 20-turn conversation with tools')
  for (const m of await grammarBench(options.engineEntry, tiny)) emit(m)

  log('chat store: 100,000 messages in 1,000 conversations, list and search')
  for (const m of chatStoreBench()) emit(m)
  log('chat import: one 100,000-message conversation, then AIPG jobs with and without imports running meanwhile')
  for (const m of await chatImportBench({ engineEntry: options.engineEntry, model: tiny, quick: options.quick })) emit(m)
  log('chat rendering: a 5,000-message conversation and a streaming grid reply in Chromium against serve')
  for (const m of await chatRenderBench()) emit(m)

  if (!options.json) {
    process.stdout.write(`${table(metrics)}\n`)
    process.stdout.write(`${JSON.stringify({ bench: 'gridforge', metrics })}\n`)
  }
}
