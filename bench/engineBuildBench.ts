import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { getModuleVersion } from 'node-llama-cpp'
import { bundledSource, compileEngine, findBuildTools } from '../src/main/engine/engineBuildCompile.js'
import { missingToolsSentence, optionList, OPTIMIZED_CMAKE_OPTIONS } from '../src/main/engine/engineBuildPlan.js'
import { measureApp } from './appEngine.js'
import { runLlamaBench } from './llamaBench.js'
import { median, metric, type Metric } from './metrics.js'

const log = (line: string) => process.stderr.write(`bench: ${line}\n`)

/** The source build the bench measures, cached like llama-bench: built once per node-llama-cpp and llama.cpp. */
export interface SourceBuild {
  dir: string
  buildSeconds: number
  /** Built in this run (its time is fresh), or taken from the cache. */
  fresh: boolean
}

/** The cache record beside the binaries. */
interface BuildRecord {
  buildSeconds: number
  options: string[]
}

/** Builds the engine from the bundled source with the app's own plan ("Optimize the engine for this PC"), once. */
export async function ensureSourceBuild(cacheDir: string): Promise<SourceBuild> {
  const source = bundledSource()
  const commit = execFileSync('git', ['bundle', 'list-heads', join(source.llamaDir, 'gitRelease.bundle')], { encoding: 'utf8' })
    .trim()
    .slice(0, 12)
  const root = join(cacheDir, `${await getModuleVersion()}-${commit}`)
  const dir = join(root, 'out')
  const recordFile = join(root, 'build.json')
  if (existsSync(join(dir, 'llama-addon.node')) && existsSync(recordFile)) {
    const record = JSON.parse(readFileSync(recordFile, 'utf8')) as BuildRecord
    return { dir, buildSeconds: record.buildSeconds, fresh: false }
  }
  const tools = await findBuildTools(process.env)
  const missing = missingToolsSentence(tools, process.platform)
  if (missing) throw new Error(missing)
  log(`building the engine from node-llama-cpp's bundled source (${optionList().join(' ')}) once; tens of minutes on 2 cores`)
  const started = Date.now()
  let shown = -1
  await compileEngine({
    source,
    tools,
    workDir: join(root, 'work'),
    outDir: dir,
    logFile: join(root, 'build.log'),
    env: process.env,
    signal: new AbortController().signal,
    onStep: (step, progress) => {
      const tenth = progress === null ? -1 : Math.floor(progress * 10)
      if (step === 'compiling' && tenth === shown) return
      shown = tenth
      log(`engine build: ${step}${progress === null ? '' : ` ${tenth * 10} %`}`)
    },
  })
  const buildSeconds = Math.round((Date.now() - started) / 1000)
  writeFileSync(recordFile, JSON.stringify({ buildSeconds, options: Object.entries(OPTIMIZED_CMAKE_OPTIONS).map(([k, v]) => `${k}=${v}`) }))
  return { dir, buildSeconds, fresh: true }
}

const ROUNDS = 3
const SHAPE = { genTokens: 64, promptTokens: 128, runs: 3 }

const range = (samples: number[]) => `${Math.min(...samples).toFixed(1)}–${Math.max(...samples).toFixed(1)}`

/**
 * The standard (prebuilt) engine against the one built for this PC, both through the app's engine process,
 * and llama-bench from the same source: alternating rounds, so that a busy spell on a shared machine hits all three.
 */
export async function engineBuildBench(
  engineEntry: string,
  model: string,
  threads: number,
  cacheDir: string,
  llamaBench: string | null,
): Promise<Metric[]> {
  let build: SourceBuild
  try {
    build = await ensureSourceBuild(cacheDir)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return [metric('engine.optimized.generate_tps', null, 'tok/s', undefined, `not built: ${reason}`)]
  }
  const prebuilt: number[] = []
  const optimized: number[] = []
  const reference: number[] = []
  const loads: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    log(`engine build: round ${round + 1} of ${ROUNDS} at ${threads} threads (prebuilt, optimized${llamaBench ? ', llama-bench' : ''})`)
    loads.push(loadavg()[0] ?? 0)
    prebuilt.push((await measureApp(engineEntry, model, threads, SHAPE)).genTps)
    optimized.push((await measureApp(engineEntry, model, threads, { ...SHAPE, env: { GRIDFORGE_ENGINE_BUILD: build.dir } })).genTps)
    if (llamaBench) {
      const run = await runLlamaBench(llamaBench, { model, threads, promptTokens: 0, genTokens: SHAPE.genTokens, repetitions: SHAPE.runs })
      reference.push(run.genTps)
    }
  }
  loads.push(loadavg()[0] ?? 0)
  const note = (samples: number[]) => `median of ${ROUNDS} rounds, range ${range(samples)}; load average ${range(loads)}`
  const metrics = [
    metric(`engine.optimized.prebuilt.generate_tps.t${threads}`, median(prebuilt), 'tok/s', undefined, note(prebuilt)),
    metric(`engine.optimized.source_build.generate_tps.t${threads}`, median(optimized), 'tok/s', undefined, note(optimized)),
    metric(`engine.optimized.source_vs_prebuilt.t${threads}`, median(optimized) / median(prebuilt), 'ratio', '> 1'),
    metric(
      'engine.optimized.build_seconds',
      build.buildSeconds,
      's',
      undefined,
      build.fresh ? `built in this run (${optionList().join(' ')})` : 'from the cache (the first run built it)',
    ),
  ]
  if (llamaBench) {
    metrics.push(
      metric(`reference.optimized.llama_bench.generate_tps.t${threads}`, median(reference), 'tok/s', undefined, note(reference)),
      metric(`engine.optimized.source_vs_llama_bench.t${threads}`, median(optimized) / median(reference), 'ratio', '>= 0.95'),
      metric(`engine.optimized.prebuilt_vs_llama_bench.t${threads}`, median(prebuilt) / median(reference), 'ratio'),
    )
  }
  return metrics
}
